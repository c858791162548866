package io.stemflow.localstack;

import java.util.Optional;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs the dashboard's browser tests only where Debian's chromium and chromedriver are installed ({@code .ci/run}
 * installs them); elsewhere each test is reported as skipped, saying what to install, and no stack is started.
 */
final class ChromiumCondition implements ExecutionCondition {

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(final ExtensionContext context) {
        final Optional<String> missing = HeadlessChromium.missing();
        return missing.map(ConditionEvaluationResult::disabled)
                .orElseGet(() -> ConditionEvaluationResult.enabled("chromium and chromedriver are installed"));
    }
}
