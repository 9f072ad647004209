// The kiln nodejs test app: answers every GET with 200.
// It installs no SIGTERM handler on purpose: the run script starts it with
// `npm start` under tini, which stops it on SIGTERM (G05); kiln test checks
// that it does. kiln-greeting comes from the tarball in vendor/.
'use strict';
const http = require('http');
const { greeting } = require('kiln-greeting');

const port = Number(process.env.PORT || 8080);
const server = http.createServer((req, res) => {
  console.log(`${req.method} ${req.url}`); // G25: logs go to stdout
  res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(greeting('nodejs'));
});

server.listen(port, () => console.log(`test app listening on port ${port}`));
