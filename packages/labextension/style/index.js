import '@mdlma/widgets/style/index.css';
