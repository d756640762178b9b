{{&script}}
