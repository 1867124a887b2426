package io.courier.spring;

import io.courier.client.RpcClient;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanClassLoaderAware;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.AbstractBeanDefinition;
import org.springframework.beans.factory.support.AutowireCandidateQualifier;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.BeanDefinitionRegistryPostProcessor;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Registers one bean per client name and interface that the application injects with {@link CourierClient}, or
 * lists under {@code courier.clients.NAME.interfaces}, qualified by the name, so that Spring's own injection
 * resolves {@code @CourierClient("calc") Calculator} wherever it appears. It looks, before any bean is created, at
 * the fields, constructors and setters of every bean class and at the parameters of every {@code @Bean} method.
 * Each bean is made, when first needed, by {@link CourierClients}. Used on Spring's one start-up thread.
 */
final class CourierClientRegistrar
    implements BeanDefinitionRegistryPostProcessor, BeanFactoryAware, BeanClassLoaderAware, EnvironmentAware {

  private static final Logger log = LoggerFactory.getLogger(CourierClientRegistrar.class);

  /** Prefix of the beans this registers: {@code courierClient.NAME.INTERFACE}. */
  static final String BEAN_NAME_PREFIX = "courierClient.";

  private @Nullable BeanFactory beanFactory;
  private @Nullable ClassLoader classLoader;
  private @Nullable Environment environment;

  @Override
  public void setBeanFactory(BeanFactory beanFactory) {
    this.beanFactory = beanFactory;
  }

  @Override
  public void setBeanClassLoader(ClassLoader classLoader) {
    this.classLoader = classLoader;
  }

  @Override
  public void setEnvironment(Environment environment) {
    this.environment = environment;
  }

  @Override
  public void postProcessBeanDefinitionRegistry(BeanDefinitionRegistry registry) throws BeansException {
    Map<String, Wanted> wanted = new LinkedHashMap<>();
    for (String beanName : registry.getBeanDefinitionNames()) {
      if (beanName.startsWith(BEAN_NAME_PREFIX)) {
        continue;
      }
      try {
        injectionPoints(registry, registry.getBeanDefinition(beanName), wanted);
      } catch (LinkageError e) {
        // A class whose members name a class that is absent: Spring will fail on it with its own message, or never
        // create it (a condition); either way it has no @CourierClient to find here.
        log.debug("Not looking for @CourierClient in bean {}: {}", beanName, e.toString());
      }
    }
    propertyInterfaces(wanted);
    wanted.forEach((beanName, client) -> {
      if (!registry.containsBeanDefinition(beanName)) {
        registry.registerBeanDefinition(beanName, definition(client.name(), client.type()));
      }
    });
  }

  /** Adds the interfaces {@code definition}'s bean is injected with under {@code @CourierClient}. */
  private void injectionPoints(BeanDefinitionRegistry registry, BeanDefinition definition,
      Map<String, Wanted> wanted) {
    Class<?> beanClass = beanClass(definition);
    if (definition.getFactoryMethodName() == null) {
      if (beanClass != null) {
        injectionPoints(beanClass, wanted);
      }
      return;
    }
    String factoryBean = definition.getFactoryBeanName();
    Class<?> factoryClass = factoryBean == null ? beanClass
        : registry.containsBeanDefinition(factoryBean) ? beanClass(registry.getBeanDefinition(factoryBean)) : null;
    if (factoryClass != null) {
      for (Method method : ReflectionUtils.getUniqueDeclaredMethods(factoryClass)) {
        if (method.getName().equals(definition.getFactoryMethodName())) {
          parameters(method, wanted);
          // The bean it makes may have @CourierClient fields and setters of its own, as far as its type says.
          injectionPoints(method.getReturnType(), wanted);
        }
      }
    }
  }

  @Override
  public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {}

  /** The name of the proxy bean of client {@code name} as {@code type}. */
  static String beanName(String name, Class<?> type) {
    return BEAN_NAME_PREFIX + name + "." + type.getName();
  }

  private <T> RootBeanDefinition definition(String name, Class<T> type) {
    BeanFactory factory = beanFactory;
    RootBeanDefinition definition = new RootBeanDefinition(type,
        () -> factory.getBean(CourierClients.class).proxy(name, type));
    definition.addQualifier(new AutowireCandidateQualifier(CourierClient.class, name));
    // The proxies (and an injected RpcClient itself) belong to CourierClients, which closes each client once when
    // it is destroyed: no close() inferred per bean, and every such bean goes before it.
    definition.setDestroyMethodName("");
    definition.setDependsOn("courierClients");
    return definition;
  }

  private void injectionPoints(Class<?> beanClass, Map<String, Wanted> wanted) {
    ReflectionUtils.doWithFields(beanClass, field -> add(field, field.getType(), describe(field), wanted),
        field -> field.isAnnotationPresent(CourierClient.class));
    for (Executable constructor : beanClass.getDeclaredConstructors()) {
      parameters(constructor, wanted);
    }
    for (Method method : ReflectionUtils.getUniqueDeclaredMethods(beanClass)) {
      if (method.isAnnotationPresent(CourierClient.class) && method.getParameterCount() == 1) {
        add(method, method.getParameterTypes()[0], describe(method), wanted);
      } else {
        parameters(method, wanted);
      }
    }
  }

  private void parameters(Executable executable, Map<String, Wanted> wanted) {
    for (Parameter parameter : executable.getParameters()) {
      add(parameter, parameter.getType(), parameter.getName() + " of " + describe(executable), wanted);
    }
  }

  private static void add(AnnotatedElement element, Class<?> type, String where, Map<String, Wanted> wanted) {
    CourierClient annotation = element.getAnnotation(CourierClient.class);
    if (annotation == null) {
      return;
    }
    if (!type.isInterface() && type != RpcClient.class) {
      throw new IllegalStateException("@CourierClient(\"" + annotation.value() + "\") on " + where
          + " injects " + type.getName() + " (expected: a service interface, or RpcClient)");
    }
    Wanted.add(wanted, annotation.value(), type);
  }

  /**
   * Adds the interfaces listed under {@code courier.clients.NAME.interfaces}, bound here as the properties bind
   * them, since this runs before any bean (the properties' too) exists.
   */
  private void propertyInterfaces(Map<String, Wanted> wanted) {
    if (environment == null) {
      return;
    }
    Binder.get(environment)
        .bind("courier.clients", Bindable.mapOf(String.class, CourierProperties.Client.class))
        .orElse(Map.of())
        .forEach((name, client) -> {
          for (Class<?> type : client.getInterfaces()) {
            if (!type.isInterface()) {
              throw new IllegalStateException("courier.clients." + name + ".interfaces: " + type.getName()
                  + " (expected: an interface)");
            }
            Wanted.add(wanted, name, type);
          }
        });
  }

  /** A proxy bean to register: client {@code name} as {@code type}. */
  private record Wanted(String name, Class<?> type) {
    static void add(Map<String, Wanted> wanted, String name, Class<?> type) {
      wanted.putIfAbsent(beanName(name, type), new Wanted(name, type));
    }
  }

  private @Nullable Class<?> beanClass(BeanDefinition definition) {
    if (definition instanceof AbstractBeanDefinition abstractDefinition && abstractDefinition.hasBeanClass()) {
      return abstractDefinition.getBeanClass();
    }
    String className = definition.getBeanClassName();
    if (className == null) {
      return null;
    }
    try {
      return ClassUtils.forName(className, classLoader);
    } catch (ClassNotFoundException | LinkageError e) {
      // A class Spring itself will fail to load, with its own message; nothing here to inject.
      return null;
    }
  }

  private static String describe(Field field) {
    return field.getDeclaringClass().getName() + "." + field.getName();
  }

  private static String describe(Executable executable) {
    return executable.getDeclaringClass().getName() + "." + executable.getName() + "()";
  }
}
