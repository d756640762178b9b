// Jest: a file as its text (JupyterLab's SVG icons; CSS, which jsdom does not apply).
module.exports = {
  process: source => ({ code: `module.exports = ${JSON.stringify(source)};` })
};
