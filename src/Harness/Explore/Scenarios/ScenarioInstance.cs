// ScenarioInstance: one configured scenario. The explorer calls Reset() before every iteration
// (shared memory and backend-local state back to their initial values), runs Bodies[i] on backend
// i, and after a completed iteration calls CheckFinal(), which throws ScenarioCheckException on a
// violated end-state invariant; CheckStep() is its between-steps counterpart. HeldBy feeds the deadlock report. A scenario that declares
// ReachGoals sets Reach in its constructor and calls Reached when its bodies see the event; the
// engines count the goals per explored schedule.
using Harness.Core;

namespace Harness.Explore.Scenarios;

public abstract class ScenarioInstance
{
    protected ScenarioInstance(ScenarioConfig config) => Config = config;

    public ScenarioConfig Config { get; }

    /// <summary>The backends' code; the same delegates every iteration.</summary>
    public abstract Action[] Bodies { get; }

    public abstract void Reset();

    public abstract void CheckFinal();

    /// <summary>The invariants that hold between any two steps, not only at the end: the engine
    /// calls this at every scheduling point (every backend parked before its next operation); it
    /// throws ScenarioCheckException on a violation. Default: none.</summary>
    public virtual void CheckStep() { }

    /// <summary>For the lanes view of a replayed schedule: what backend <paramref name="backend"/>
    /// holds right now (locks, pins, the values it can see), or null if the scenario does not say.
    /// Called between steps, while that backend is parked.</summary>
    public virtual string? Holding(int backend) => null;

    /// <summary>The goals this scenario declares and the current schedule's hits (null: none declared).</summary>
    public ReachHits? Reach { get; protected set; }

    /// <summary>Marks <paramref name="goal"/> reached in this schedule (nothing when no goals are declared).</summary>
    protected void Reached(ReachGoal goal) => Reach?.Hit(goal);

    /// <summary>Set by the engine while replaying for the lanes view; null while exploring.</summary>
    public Lanes.LaneLog? Lanes { get; set; }

    /// <summary>A scenario-level note in backend <paramref name="backend"/>'s lane (free when no view is recorded).</summary>
    protected void Note(int backend, string text) => Lanes?.Note(backend, text);

    /// <summary>As <see cref="Note(int,string)"/>, with the text built only when a view is recorded.</summary>
    protected void Note(int backend, Func<string> text)
    {
        if (Lanes is not null) Lanes.Note(backend, text());
    }

    /// <summary>Objects backend <paramref name="backend"/> holds, with the mode (for deadlock reports).</summary>
    public virtual IEnumerable<(ulong Obj, string Mode)> HeldBy(int backend) => [];

    /// <summary>Throws the invariant failure <paramref name="site"/> unless <paramref name="condition"/>.</summary>
    public static void Check(bool condition, string site, string message)
    {
        if (!condition) throw new ScenarioCheckException(site, message);
    }

    /// <summary>The operation mix: <paramref name="kinds"/> weights, all 1 for the default mix, else
    /// swarm weights in 0..4 with some kinds turned off entirely (at least one stays on).</summary>
    public int[] MixWeights(int kinds)
    {
        var w = new int[kinds];
        if (Config.MixSeed == 0)
        {
            Array.Fill(w, 1);
            return w;
        }
        var prng = new Allocator.Common.Prng(Config.MixSeed);
        for (int i = 0; i < kinds; i++) w[i] = prng.Chance(1, 4) ? 0 : (int)prng.Range(1, 4);
        if (w.All(x => x == 0)) w[prng.Index(kinds)] = 1;
        return w;
    }

    /// <summary>The deterministic data stream of backend <paramref name="backend"/> (operation choices).</summary>
    public Allocator.Common.Prng DataPrng(int backend) => new(Allocator.Common.Prng.Derive(Config.MixSeed ^ 0xDA7A, (ulong)backend));
}
