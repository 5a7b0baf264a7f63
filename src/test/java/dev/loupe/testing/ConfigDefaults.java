package dev.loupe.testing;

import io.smallrye.config.WithDefault;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A {@code @ConfigMapping} interface as its {@code @WithDefault}s make it, with some values given
 * ({@code "retry.max-attempts" -> 1}), for a unit test of a class that takes a part of the config tree.
 * Hand-written: SmallRye builds mappings only inside a running config, which a unit test has not.
 */
public final class ConfigDefaults {

    private ConfigDefaults() {}

    public static <T> T of(Class<T> type, Map<String, Object> given) {
        return of(type, given, "");
    }

    @SuppressWarnings("unchecked")
    private static <T> T of(Class<T> type, Map<String, Object> given, String prefix) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            if (method.getDeclaringClass() == Object.class) {
                return method.getName().equals("toString") ? type.getSimpleName() : method.invoke(given, args);
            }
            String key = prefix + kebab(method.getName());
            if (method.getReturnType().isInterface() && method.getReturnType().getEnclosingClass() != null
                    && !method.getReturnType().getName().startsWith("java.")) {
                return of(method.getReturnType(), given, key + ".");
            }
            Object value = given.get(key);
            if (method.getReturnType() == Optional.class) {
                return Optional.ofNullable(value);
            }
            if (value != null) {
                return value;
            }
            WithDefault fallback = method.getAnnotation(WithDefault.class);
            if (fallback == null) {
                throw new IllegalStateException(key + " has no default: give it");
            }
            return parse(method, fallback.value());
        });
    }

    private static Object parse(Method method, String text) {
        Class<?> type = method.getReturnType();
        if (type == int.class) {
            return Integer.parseInt(text);
        } else if (type == long.class) {
            return Long.parseLong(text);
        } else if (type == double.class) {
            return Double.parseDouble(text);
        } else if (type == boolean.class) {
            return Boolean.parseBoolean(text);
        } else if (type == Duration.class) {
            return text.endsWith("ms") ? Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)))
                    : Duration.parse("PT" + text.toUpperCase(Locale.ROOT));
        }
        return text;
    }

    private static String kebab(String name) {
        return name.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }
}
