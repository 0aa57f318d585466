// Runs the Snowflake JDBC driver's own key-pair code on a private key file, as a connection with the property
// `private_key_file` does before it contacts Snowflake: SessionUtilKeyPair loads the file and signs the login JWT.
// Usage: java -cp <driver jars>:<classes> SnowflakeJdbcKeyPair <account> <user> <private key file>
// Prints the JWT on stdout; exits 2 when the driver refuses the key file, 1 on any other error.
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.security.PrivateKey;

public final class SnowflakeJdbcKeyPair {
    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: SnowflakeJdbcKeyPair <account> <user> <private key file>");
            System.exit(64);
        }
        // What the driver does when it is loaded (DriverInitializer): register its bundled Bouncy Castle provider,
        // which its PEM key reader uses.
        Class.forName("net.snowflake.client.internal.core.SecurityUtil").getMethod("addBouncyCastleProvider").invoke(null);
        // The class is package-private: the driver builds it from the connection properties in SessionUtil.
        Class<?> cls = Class.forName("net.snowflake.client.internal.core.SessionUtilKeyPair");
        Constructor<?> ctor = cls.getDeclaredConstructor(PrivateKey.class, String.class, String.class, String.class, String.class, String.class);
        ctor.setAccessible(true);
        try {
            // (privateKey, private_key_file, private_key_base64, private_key_pwd, account, user)
            Object keyPair = ctor.newInstance(null, args[2], null, null, args[0], args[1]);
            Method issue = cls.getMethod("issueJwtToken");
            issue.setAccessible(true);
            System.out.println((String) issue.invoke(keyPair));
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            System.err.println("The Snowflake JDBC driver refused the key file: " + cause);
            System.exit(cause != null && cause.getClass().getName().endsWith("SFException") ? 2 : 1);
        }
    }
}
