// WaitLivenessMonitor: the Coyote liveness monitor for "every waiter is eventually served". A
// backend that reports waiting (pgstat_report_wait_start before it sleeps for a lock) joins a
// queue; the monitor is hot while the queue is non-empty. Serving the *oldest* waiter passes the
// monitor through a cold state (which resets Coyote's liveness temperature) and back to hot if
// others still wait; serving a younger one does not. So under a fair strategy, a backend that waits
// forever (a lost wakeup, starvation) keeps the monitor hot until Coyote's temperature threshold
// reports a liveness bug, whatever the other backends do; and an oldest wait longer than the
// threshold is reported too. Registered only for scenarios that need fairness.
using Microsoft.Coyote.Specifications;

namespace Harness.Explore.Coyote;

public sealed class WaitLivenessMonitor : Microsoft.Coyote.Specifications.Monitor
{
    public sealed class WaitStarted(int backend) : Event
    {
        public int Backend { get; } = backend;
    }

    public sealed class WaitEnded(int backend) : Event
    {
        public int Backend { get; } = backend;
    }

    private readonly List<int> _waiting = [];

    [Start]
    [Cold]
    [OnEventDoAction(typeof(WaitStarted), nameof(OnWaitStarted))]
    [OnEventDoAction(typeof(WaitEnded), nameof(OnWaitEnded))]
    private sealed class NobodyWaits : State
    {
    }

    [Hot]
    [OnEventDoAction(typeof(WaitStarted), nameof(OnWaitStarted))]
    [OnEventDoAction(typeof(WaitEnded), nameof(OnWaitEnded))]
    private sealed class SomeoneWaits : State
    {
    }

    /// <summary>Passed through when the oldest waiter is served: cold, so the temperature restarts.</summary>
    [Cold]
    [OnEntry(nameof(AfterOldestServed))]
    private sealed class OldestServed : State
    {
    }

    private void OnWaitStarted(Event e)
    {
        _waiting.Add(((WaitStarted)e).Backend);
        if (_waiting.Count == 1) RaiseGotoStateEvent<SomeoneWaits>();
    }

    private void OnWaitEnded(Event e)
    {
        int at = _waiting.IndexOf(((WaitEnded)e).Backend);
        if (at < 0) return;
        _waiting.RemoveAt(at);
        if (at == 0) RaiseGotoStateEvent<OldestServed>();
    }

    private void AfterOldestServed()
    {
        if (_waiting.Count > 0) RaiseGotoStateEvent<SomeoneWaits>();
        else RaiseGotoStateEvent<NobodyWaits>();
    }
}
