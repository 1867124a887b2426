package io.courier.spring;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.BeansException;
import org.springframework.beans.PropertyValues;
import org.springframework.beans.factory.BeanCreationException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.config.InstantiationAwareBeanPostProcessor;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Sets the fields annotated {@link CourierClient} alone, without {@code @Autowired}, as Dubbo's and gRPC's starters
 * do for their own annotations: with the proxy bean {@link CourierClientRegistrar} registered for the field's name
 * and type. A field that also has {@code @Autowired} is left to Spring's own injection. Spring calls it for each
 * bean, possibly from several threads; its cache of fields per class is a concurrent map.
 */
final class CourierClientFieldInjector implements InstantiationAwareBeanPostProcessor, BeanFactoryAware {

  private final Map<Class<?>, List<Field>> fieldsByClass = new ConcurrentHashMap<>();
  private @Nullable BeanFactory beanFactory;

  @Override
  public void setBeanFactory(BeanFactory beanFactory) {
    this.beanFactory = beanFactory;
  }

  @Override
  public PropertyValues postProcessProperties(PropertyValues values, Object bean, String beanName)
      throws BeansException {
    BeanFactory factory = beanFactory;
    if (factory == null) {
      return values;
    }
    for (Field field : fieldsByClass.computeIfAbsent(ClassUtils.getUserClass(bean), CourierClientFieldInjector::find)) {
      CourierClient annotation = field.getAnnotation(CourierClient.class);
      String proxy = CourierClientRegistrar.beanName(annotation.value(), field.getType());
      Object value;
      try {
        // The registrar's bean when it found the field; else (a @Bean method declared to return a supertype) a
        // proxy of the same client.
        value = factory.containsBean(proxy) ? factory.getBean(proxy)
            : factory.getBean(CourierClients.class).proxy(annotation.value(), field.getType());
      } catch (BeansException | IllegalStateException e) {
        throw new BeanCreationException(beanName, "Cannot inject @CourierClient(\"" + annotation.value() + "\") "
            + field.getDeclaringClass().getName() + "." + field.getName(), e);
      }
      ReflectionUtils.makeAccessible(field);
      ReflectionUtils.setField(field, bean, value);
    }
    return values;
  }

  /** The fields of {@code type} and its superclasses to set here: annotated, and not left to {@code @Autowired}. */
  private static List<Field> find(Class<?> type) {
    List<Field> fields = new ArrayList<>();
    ReflectionUtils.doWithFields(type, field -> {
      if (Modifier.isStatic(field.getModifiers()) || Modifier.isFinal(field.getModifiers())) {
        throw new IllegalStateException("@CourierClient on " + (Modifier.isStatic(field.getModifiers())
            ? "static" : "final") + " field " + field.getDeclaringClass().getName() + "." + field.getName()
            + ": it cannot be injected (use an instance field, or a constructor parameter)");
      }
      fields.add(field);
    }, field -> field.isAnnotationPresent(CourierClient.class) && !field.isAnnotationPresent(Autowired.class));
    return List.copyOf(fields);
  }
}
