// The fixed facts of the AFL++ 4.04c protocol and of our signal labelling, and the afl-fuzz command
// line that `harness afl` prints.
using Harness.Core;
using Harness.Fuzz.Afl;
using Harness.Fuzz;
using Xunit;

namespace Harness.Tests.Fuzz.Afl;

public sealed class AflProtocolTests
{
    [Fact]
    public void Hello_announces_a_64_KiB_map_with_no_reply_options()
    {
        uint hello = AflProtocol.Hello(Harness.Fuzz.Instrumentation.SharpFuzzTrace.MapSize);
        Assert.Equal(0xC001FFFFu, hello);
        Assert.Equal(65536, (int)(((hello & 0x00FFFFFE) >> 1) + 1));   // afl's decoding
        Assert.Equal(0u, hello & 0x01000000);                          // no FS_OPT_SHDMEM_FUZZ
        Assert.Equal(0u, hello & 0x10000000);                          // no FS_OPT_AUTODICT
    }

    [Fact]
    public void Every_fault_class_has_its_own_crash_signal_and_ok_is_a_clean_exit()
    {
        Assert.Equal(0u, AflFaultSignals.StatusFor(OutcomeKind.Ok));
        var signals = new HashSet<int> { AflFaultSignals.WorkerDied };
        foreach (OutcomeKind c in Enum.GetValues<OutcomeKind>().Where(c => c != OutcomeKind.Ok))
        {
            uint status = AflFaultSignals.StatusFor(c);
            int sig = (int)(status & 0x7F);
            Assert.True(sig is > 0 and < 0x7F, $"{c}: status {status} is not WIFSIGNALED");
            Assert.True(signals.Add(sig), $"{c} shares signal {sig}");
            Assert.Equal(c, AflFaultSignals.ClassFor(sig));
        }
    }

    [Fact]
    public void Command_line_has_everything_a_dotnet_target_needs()
    {
        AflCommandLine line = AflCommandLine.Build("/usr/bin/afl-fuzz", "allocator", "/x/inst", "/c", "/o", 5000, 30, supervise: true, new[] { "-x", "d.dict" });
        string shell = line.ToShell();
        Assert.Contains("AFL_SKIP_BIN_CHECK=1", shell);
        Assert.Contains("AFL_NO_UI=1", shell);
        Assert.Contains(" -t 5000 ", shell);
        Assert.Contains(" -m none ", shell);
        Assert.Contains(" -V 30 ", shell);
        Assert.Contains(" -x d.dict -- ", shell);
        Assert.EndsWith("/x/inst/harness.dll afl-worker allocator @@ --supervise", shell);
        Assert.True(Path.IsPathRooted(line.Arguments[line.Arguments.ToList().IndexOf("--") + 1]), "dotnet must be a full path");
    }
}
