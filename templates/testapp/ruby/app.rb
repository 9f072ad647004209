# The kiln ruby test app: answers every GET with 200 and stops on SIGTERM
# (Ruby raises SignalException for it, even as PID 1: G05). A bare
# TCPServer keeps it free of gems beyond its one dependency.
require "socket"
require "kiln_greeting"

$stdout.sync = true # G25: logs go to stdout, unbuffered
port = Integer(ENV.fetch("PORT", "8080"))
server = TCPServer.new("0.0.0.0", port)
puts "test app listening on port #{port}"
Signal.trap("TERM") { puts "stopping on SIGTERM"; exit }

loop do
  client = server.accept
  request = client.gets.to_s
  while (line = client.gets) && line != "\r\n"; end
  puts request.strip
  body = KilnGreeting.greeting("ruby")
  client.write "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n" \
               "Content-Length: #{body.bytesize}\r\nConnection: close\r\n\r\n#{body}"
  client.close
end
