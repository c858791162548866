package io.stemflow.serde;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.avro.Conversion;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * A {@link SpecificData} that maps the named types of one generated class's schema (the class
 * itself and every record, enum and fixed it references) to their generated classes, and asks
 * Avro's default lookup for nothing else.
 *
 * <p>Why: since Avro 1.12.2, {@code SpecificData.getClass(Schema)} loads classes through {@code
 * ClassSecurityValidator}, which by default trusts only a few JDK classes, so reading into an
 * application's own generated classes fails unless the JVM sets {@code
 * org.apache.avro.SERIALIZABLE_PACKAGES}. The classes here are the ones the application handed
 * over (a {@code SpecificRecord} class and its own schema), which is exactly the trust that
 * check asks for, so no global setting is needed. Conversions (logical types) of the class's own
 * model are carried over.
 */
final class TrustedSpecificData extends SpecificData {

    private final Map<String, Class<?>> classesByName;

    private TrustedSpecificData(ClassLoader loader, Map<String, Class<?>> classesByName) {
        super(loader);
        this.classesByName = Map.copyOf(classesByName);
    }

    /** The model for reading into {@code type}, a SpecificRecord class. */
    static TrustedSpecificData forClass(Class<?> type) {
        final SpecificData model = SpecificData.getForClass(type);
        final ClassLoader loader = type.getClassLoader();
        final Schema schema = model.getSchema(type);
        final Map<String, Class<?>> classes = new HashMap<>();
        collect(schema, loader, classes, new HashSet<>());
        classes.put(schema.getFullName(), type);
        final TrustedSpecificData data = new TrustedSpecificData(loader, classes);
        for (final Conversion<?> conversion : model.getConversions()) {
            data.addLogicalTypeConversion(conversion);
        }
        return data;
    }

    /**
     * The generated SpecificRecord class named like {@code schema}, if one is on the class path of
     * {@code loader}. Only classes implementing {@link SpecificRecord} are accepted, and they are
     * checked before being initialised.
     */
    static Optional<Class<?>> findRecordClass(Schema schema, ClassLoader loader) {
        if (schema.getType() != Schema.Type.RECORD) {
            return Optional.empty();
        }
        return load(SpecificData.getClassName(schema), loader).filter(SpecificRecord.class::isAssignableFrom);
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Class getClass(Schema schema) {
        switch (schema.getType()) {
            case RECORD:
            case ENUM:
            case FIXED:
                return classesByName.get(schema.getFullName());
            default:
                return super.getClass(schema);
        }
    }

    private static void collect(Schema schema, ClassLoader loader, Map<String, Class<?>> classes, Set<String> seen) {
        switch (schema.getType()) {
            case RECORD:
                if (!seen.add(schema.getFullName())) {
                    return;
                }
                load(SpecificData.getClassName(schema), loader).ifPresent(c -> classes.put(schema.getFullName(), c));
                for (final Schema.Field field : schema.getFields()) {
                    collect(field.schema(), loader, classes, seen);
                }
                return;
            case ENUM:
            case FIXED:
                if (seen.add(schema.getFullName())) {
                    load(SpecificData.getClassName(schema), loader).ifPresent(c -> classes.put(schema.getFullName(), c));
                }
                return;
            case ARRAY:
                collect(schema.getElementType(), loader, classes, seen);
                return;
            case MAP:
                collect(schema.getValueType(), loader, classes, seen);
                return;
            case UNION:
                for (final Schema branch : schema.getTypes()) {
                    collect(branch, loader, classes, seen);
                }
                return;
            default:
        }
    }

    /** Loads without initialising; tries nested-class names ({@code a.B$C}) as Avro does. */
    private static Optional<Class<?>> load(String name, ClassLoader loader) {
        final StringBuilder candidate = new StringBuilder(name);
        int dot = name.length();
        while (true) {
            try {
                return Optional.of(Class.forName(candidate.toString(), false, loader));
            } catch (ClassNotFoundException | LinkageError e) {
                dot = name.lastIndexOf('.', dot - 1);
                if (dot < 0) {
                    return Optional.empty();
                }
                candidate.setCharAt(dot, '$');
            }
        }
    }
}
