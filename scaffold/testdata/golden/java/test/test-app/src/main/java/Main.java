import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.kiln.greeting.Greeting;

/**
 * The kiln java test app: answers every GET with 200; the JVM stops on
 * SIGTERM (G05). Greeting comes from lib/kiln-greeting-1.0.jar.
 */
public final class Main {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(System.getenv().getOrDefault("PORT", "8080"));
        HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
        server.createContext("/", exchange -> {
            System.out.println(exchange.getRequestMethod() + " " + exchange.getRequestURI()); // G25
            byte[] body = Greeting.greeting("java").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("stopping on signal");
            server.stop(0);
        }));
        server.start();
        System.out.println("test app listening on port " + port);
    }
}
