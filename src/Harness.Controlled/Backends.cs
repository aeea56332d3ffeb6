// Backends: how simulated backends become Coyote-controlled operations. This assembly is rewritten
// after every build (Directory.Build.targets, target HarnessCoyoteRewrite), so the ordinary .NET
// calls below are Coyote's controlled versions at run time:
//   * Task.Run       -> a new controlled operation per backend (its own thread; only one runs at a time);
//   * Task.WaitAll   -> the test's root operation waits for them as a controlled dependency;
//   * SpinWait.SpinUntil -> the operation is paused until the condition holds, which Coyote
//     re-evaluates at every scheduling point; if no operation is enabled, Coyote reports a deadlock.
// Outside a Coyote test (not controlled) the same calls run natively, so nothing here may be called
// by the harness's own engines.
namespace Harness.Controlled;

public static class Backends
{
    /// <summary>Runs every body as its own controlled operation and waits for all of them.</summary>
    public static void RunAll(Action[] bodies)
    {
        var tasks = new Task[bodies.Length];
        for (int i = 0; i < bodies.Length; i++) tasks[i] = Task.Run(bodies[i]);
        Task.WaitAll(tasks);
    }

    /// <summary>Blocks the calling controlled operation until <paramref name="condition"/> holds.
    /// The condition must read only state that other controlled operations change.</summary>
    public static void BlockUntil(Func<bool> condition) => SpinWait.SpinUntil(condition);

    /// <summary>Wraps one iteration as the test delegate handed to Coyote's TestingEngine. The delegate
    /// is declared here so that the engine sees a rewritten test assembly.</summary>
    public static Action Test(Action iteration) => () => iteration();
}
