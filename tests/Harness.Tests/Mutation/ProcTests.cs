// Proc.Run, the campaign's child-process runner: a stop (Ctrl-C, SIGTERM) that kills the running
// gate must come back as cancelled, never as the gate's verdict. Before this was fixed, the stop
// handler's own kill ended the child first, and the campaign recorded the interrupted mutant as
// "killed: gate exited 137 without a report".
using Mutate;
using Xunit;

namespace Harness.Tests.Mutation;

public sealed class ProcTests
{
    [Fact]
    public void A_child_killed_by_the_stop_handler_is_cancelled_not_a_verdict()
    {
        string log = Path.GetTempFileName();
        try
        {
            bool stop = false;
            var killer = new Thread(() =>
            {
                Thread.Sleep(300);   // decides nothing the test checks: only when the stop arrives
                stop = true;
                Proc.KillCurrent();  // what the SIGTERM handler does
            });
            killer.Start();
            ProcResult r = Proc.Run("sleep", ["30"], Path.GetTempPath(), log, 60, null, () => Volatile.Read(ref stop));
            killer.Join();
            Assert.True(r.Cancelled);
            Assert.False(r.TimedOut);
            Assert.Equal(-1, r.ExitCode);
            Assert.True(r.Seconds < 30);
        }
        finally
        {
            File.Delete(log);
        }
    }

    [Fact]
    public void A_child_that_exits_on_its_own_reports_its_exit_code()
    {
        string log = Path.GetTempFileName();
        try
        {
            ProcResult r = Proc.Run("sh", ["-c", "echo out; exit 3"], Path.GetTempPath(), log, 60, null, () => false);
            Assert.Equal((3, false, false), (r.ExitCode, r.TimedOut, r.Cancelled));
            Assert.Contains("out", File.ReadAllText(log));
        }
        finally
        {
            File.Delete(log);
        }
    }
}
