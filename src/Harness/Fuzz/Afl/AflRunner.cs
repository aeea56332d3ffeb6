// AflRunner: executes one input against a target the way both AFL modes need it: reset AFL's
// prev_location (SharpFuzz's Trace.PrevLocation; afl already cleared the map), run, and turn the
// outcome into a status word.
// Execute is specified never to throw; if it does anyway that is a crash outcome, not a dead worker.
using Harness.Core;
using Harness.Fuzz.Instrumentation;

namespace Harness.Fuzz.Afl;

public static class AflRunner
{
    public static Outcome RunOnce(IFuzzTarget target, ReadOnlySpan<byte> input)
    {
        SharpFuzzTrace.ResetPrevious();
        try
        {
            return target.Execute(input);
        }
        catch (Exception e)
        {
            return new Outcome(OutcomeKind.Crash, -1, "afl/escaped:" + e.GetType().Name, e.Message);
        }
    }

    /// <summary>
    /// Runs a few synthetic inputs on the private map before attaching afl's, so one-time work
    /// (static constructors, JIT tiering) does not show up as coverage of the first real input and
    /// lower afl's stability score. Never reads afl's input file (it is empty at this point).
    /// </summary>
    public static void WarmUp(IFuzzTarget target)
    {
        byte[] ramp = new byte[64];
        for (int i = 0; i < ramp.Length; i++) ramp[i] = (byte)(i * 37);
        for (int round = 0; round < 3; round++)
        {
            RunOnce(target, ReadOnlySpan<byte>.Empty);
            RunOnce(target, new byte[64]);
            RunOnce(target, ramp);
        }
        SharpFuzzTrace.Reset();
    }
}
