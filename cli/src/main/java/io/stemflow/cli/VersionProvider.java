package io.stemflow.cli;

import picocli.CommandLine;

/** Reports the version from the jar's manifest, or "development" when run from classes. */
final class VersionProvider implements CommandLine.IVersionProvider {

    @Override
    public String[] getVersion() {
        final String version = StemflowCli.class.getPackage().getImplementationVersion();
        return new String[] {"stemflow " + (version == null ? "development" : version)};
    }
}
