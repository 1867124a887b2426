package io.courier.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * What a user of the published artifacts relies on, read from the build's own files: the BOM lists exactly the
 * modules that are deployed, at the reactor's version, with the native transport at the Netty version Courier is
 * built with; every jar has a module name; and the README's dependency snippet asks only for what the BOM manages.
 */
class PublishedModulesTest {

  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  @Test
  void theBomManagesEveryPublishedModuleAndNoOther() throws Exception {
    Document parent = read(ROOT.resolve("pom.xml"));
    Set<String> published = new HashSet<>();
    for (String module : texts(parent.getDocumentElement(), "modules", "module")) {
      if (module.equals("courier-bom")) {
        continue;
      }
      Document pom = read(ROOT.resolve(module).resolve("pom.xml"));
      if (!"true".equals(property(pom, "maven.deploy.skip"))) {
        published.add(text(pom.getDocumentElement(), "artifactId"));
      }
    }
    assertThat(published).contains("courier", "courier-zookeeper", "courier-micrometer", "courier-opentelemetry")
        .doesNotContain("courier-examples", "courier-cli", "courier-bench");

    Set<String> managedCourier = new HashSet<>();
    for (Element dependency : bomDependencies()) {
      if (text(dependency, "groupId").equals("io.courier")) {
        managedCourier.add(text(dependency, "artifactId"));
        assertThat(text(dependency, "version")).isEqualTo("${project.version}");
      }
    }
    assertThat(managedCourier).isEqualTo(published);
  }

  @Test
  void theBomIsAtTheReactorsVersionAndPinsTheNativeTransportToCouriersNetty() throws Exception {
    Document parent = read(ROOT.resolve("pom.xml"));
    Document bom = read(ROOT.resolve("courier-bom/pom.xml"));
    assertThat(text(bom.getDocumentElement(), "version")).isEqualTo(text(parent.getDocumentElement(), "version"));
    assertThat(property(bom, "netty.version")).isEqualTo(property(parent, "netty.version"));
    assertThat(property(bom, "project.build.outputTimestamp"))
        .isEqualTo(property(parent, "project.build.outputTimestamp"));

    List<String> classifiers = new ArrayList<>();
    for (Element dependency : bomDependencies()) {
      if (text(dependency, "artifactId").equals("netty-transport-native-epoll")) {
        assertThat(text(dependency, "version")).isEqualTo("${netty.version}");
        classifiers.add(text(dependency, "classifier"));
      }
    }
    assertThat(classifiers).containsExactlyInAnyOrder("linux-x86_64", "linux-aarch_64");
  }

  @Test
  void everyModuleThatBuildsAJarNamesItsOwnModule() throws Exception {
    Document parent = read(ROOT.resolve("pom.xml"));
    Map<String, String> names = new HashMap<>();
    for (String module : texts(parent.getDocumentElement(), "modules", "module")) {
      Document pom = read(ROOT.resolve(module).resolve("pom.xml"));
      if (!"pom".equals(text(pom.getDocumentElement(), "packaging"))) {
        String name = property(pom, "courier.module.name");
        assertThat(name).as(module).matches("io\\.courier(\\.[a-z][a-z0-9]*)*");
        assertThat(names.put(name, module)).as("module name " + name + " of " + module).isNull();
      }
    }
    assertThat(names).containsEntry("io.courier", "courier");
  }

  @Test
  void theReadmeSnippetImportsTheBomAndNamesOnlyWhatItManages() throws Exception {
    String readme = Files.readString(ROOT.resolve("README.md"));
    int section = readme.indexOf("## Use it from Maven");
    assertThat(section).isNotNegative();
    int start = readme.indexOf("```xml\n", section) + "```xml\n".length();
    String snippet = readme.substring(start, readme.indexOf("```", start));
    Element project = read("<project>" + snippet + "</project>").getDocumentElement();

    Element imported = children(child(child(project, "dependencyManagement"), "dependencies"), "dependency").get(0);
    assertThat(text(imported, "artifactId")).isEqualTo("courier-bom");
    assertThat(text(imported, "scope")).isEqualTo("import");
    assertThat(text(imported, "version"))
        .isEqualTo(text(read(ROOT.resolve("pom.xml")).getDocumentElement(), "version"));

    Set<String> managed = new HashSet<>();
    for (Element dependency : bomDependencies()) {
      managed.add(text(dependency, "artifactId") + ":" + text(dependency, "classifier"));
    }
    List<Element> dependencies = children(child(project, "dependencies"), "dependency");
    assertThat(dependencies).isNotEmpty();
    for (Element dependency : dependencies) {
      String key = text(dependency, "artifactId") + ":" + text(dependency, "classifier");
      assertThat(text(dependency, "version")).as(key + " takes its version from the BOM").isEmpty();
      assertThat(managed).as("the BOM manages " + key).contains(key);
    }
  }

  @Test
  void theLicenceIsApache2() throws Exception {
    String licence = Files.readString(ROOT.resolve("LICENSE"));
    assertThat(licence).contains("Apache License", "Version 2.0, January 2004");
    Element licenses = child(read(ROOT.resolve("pom.xml")).getDocumentElement(), "licenses");
    assertThat(text(child(licenses, "license"), "name")).isEqualTo("Apache-2.0");
  }

  private static List<Element> bomDependencies() throws Exception {
    Element project = read(ROOT.resolve("courier-bom/pom.xml")).getDocumentElement();
    return children(child(child(project, "dependencyManagement"), "dependencies"), "dependency");
  }

  private static Document read(Path file) throws Exception {
    return read(Files.readString(file));
  }

  private static Document read(String xml) throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    return factory.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
  }

  private static String property(Document pom, String name) {
    Element properties = child(pom.getDocumentElement(), "properties");
    return properties == null ? null : text(properties, name);
  }

  private static List<String> texts(Element parent, String list, String item) {
    List<String> values = new ArrayList<>();
    for (Element element : children(child(parent, list), item)) {
      values.add(element.getTextContent().trim());
    }
    return values;
  }

  /** The text of {@code parent}'s direct child {@code name}, or "" when it has none. */
  private static String text(Element parent, String name) {
    Element element = child(parent, name);
    return element == null ? "" : element.getTextContent().trim();
  }

  private static Element child(Element parent, String name) {
    List<Element> found = children(parent, name);
    return found.isEmpty() ? null : found.get(0);
  }

  private static List<Element> children(Element parent, String name) {
    List<Element> found = new ArrayList<>();
    NodeList nodes = parent.getChildNodes();
    for (int i = 0; i < nodes.getLength(); i++) {
      Node node = nodes.item(i);
      if (node instanceof Element element && element.getTagName().equals(name)) {
        found.add(element);
      }
    }
    return found;
  }
}
