package io.stemflow.emulator.core;

import io.stemflow.emulator.FaultShares;
import io.stemflow.emulator.LinkExpiry;
import io.stemflow.emulator.callback.CallbackDispatcher;
import io.stemflow.emulator.counter.CounterSet;
import io.stemflow.emulator.task.EmulatedTask;
import io.stemflow.emulator.task.TaskPlan;
import io.stemflow.emulator.task.TaskPlanner;
import io.stemflow.emulator.task.TaskRegistry;
import io.stemflow.emulator.time.EmulatorTime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Accepts a (validated, charged) task: plans it, registers it and schedules its completion. */
public final class TaskService {

    private static final Logger LOG = LoggerFactory.getLogger(TaskService.class);

    private final TaskRegistry registry;
    private final TaskPlanner planner;
    private final EmulatorTime time;
    private final CallbackDispatcher dispatcher;
    private final CounterSet counters;

    public TaskService(final TaskRegistry registry, final TaskPlanner planner, final EmulatorTime time,
                       final CallbackDispatcher dispatcher, final CounterSet counters) {
        this.registry = registry;
        this.planner = planner;
        this.time = time;
        this.dispatcher = dispatcher;
        this.counters = counters;
    }

    public EmulatedTask accept(final EmulatedTask.Request request, final FaultShares faults,
                               final LinkExpiry linkExpiry, final long chargedCredits) {
        final long sequence = registry.nextSequence();
        final TaskPlan plan = planner.plan(sequence, request.mode(), faults, linkExpiry);
        final EmulatedTask task = new EmulatedTask(request, plan, time.now());
        registry.add(task);
        counters.taskAccepted(chargedCredits);
        time.schedule(plan.processingTime(), () -> dispatcher.taskCompleted(task));
        LOG.debug("accepted task #{} {} ({}, key {}), completes in {}, links {}", sequence, task.id(),
                request.mode().wireName(), request.keyId(), plan.processingTime(), plan.links().fate());
        return task;
    }
}
