// The kiln nodejs test app: answers every GET with 200 and stops on SIGTERM.
// As PID 1 a process gets no default SIGTERM handling, so it installs one (G05).
'use strict';
const http = require('http');

const port = Number(process.env.PORT || 8080);
const server = http.createServer((req, res) => {
  console.log(`${req.method} ${req.url}`); // G25: logs go to stdout
  res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end('Hello from the kiln nodejs test app.\n');
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    console.log(`stopping on ${signal}`);
    server.close();
    process.exit(0);
  });
}

server.listen(port, () => console.log(`test app listening on port ${port}`));
