package io.stemflow.emulator.http;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.stemflow.emulator.Stem;
import io.stemflow.emulator.core.EmulatorState;
import io.stemflow.emulator.task.EmulatedTask;
import io.stemflow.emulator.task.StemLinks;
import io.stemflow.emulator.task.TaskOutcome;
import java.time.Instant;
import java.util.Optional;

/**
 * Serves stem files at {@code /files/{token}/{stem}.wav} without authentication (the links are the capability,
 * as the provider's are). 404 for an unknown token or stem, or before the task completed; 410 once the link has
 * expired: {@code fileTtl} after completion, earlier for a task whose links expire early, and {@code fileTtl}
 * after its issue for a fresh link ({@link io.stemflow.emulator.core.LinkService}).
 */
public final class FileApi {

    private final EmulatorState state;

    public FileApi(final EmulatorState state) {
        this.state = state;
    }

    public void register(final RoutesConfig routes) {
        routes.get(StemLinks.PREFIX + "{token}/{file}", this::serve);
    }

    private void serve(final Context ctx) {
        final String file = ctx.pathParam("file");
        final String token = ctx.pathParam("token");
        final Optional<EmulatedTask> task = state.tasks().byFileToken(token);
        final Optional<Stem> stem = file.endsWith(StemLinks.SUFFIX)
                ? Stem.fromWireName(file.substring(0, file.length() - StemLinks.SUFFIX.length()))
                : Optional.empty();
        final Instant now = state.time().now();
        if (task.isEmpty() || stem.isEmpty() || !task.get().completeBy(now)
                || !(task.get().plan().outcome() instanceof TaskOutcome.Succeeded success)
                || !success.produced().contains(stem.get())) {
            ctx.status(404).contentType("text/plain").result("no such stem file");
            return;
        }
        if (state.links().expired(task.get(), token, now)) {
            state.counters().fileExpired();
            ctx.status(410).contentType("text/plain").result("this stem link has expired");
            return;
        }
        state.counters().fileServed();
        ctx.status(200).contentType("audio/wav").result(state.audio().wav(stem.get()));
    }
}
