// AflForkserver: the target's end of the AFL++ 4.04c forkserver pipes (fuzzing.md 2.4-2.5).
// Handshake: one hello word on the status fd. Per execution: read `was_killed` from the control fd,
// write the pid afl should kill on timeout, run, write a waitpid()-style status.
//
// The fds are 198/199 under afl-fuzz. Tests that play afl's part set HARNESS_AFL_FDS="ctl,st" to
// other inherited fds (afl's fixed numbers cannot be chosen from .NET's Process.Start).
using System.Globalization;

namespace Harness.Fuzz.Afl;

public sealed class AflForkserver
{
    public const string FdsVariable = "HARNESS_AFL_FDS";

    public int ControlFd { get; }
    public int StatusFd { get; }

    public AflForkserver(int controlFd, int statusFd)
    {
        ControlFd = controlFd;
        StatusFd = statusFd;
    }

    /// <summary>The pipes this process inherited: HARNESS_AFL_FDS if set, else afl's 198/199.</summary>
    public static AflForkserver FromEnvironment()
    {
        string? fds = Environment.GetEnvironmentVariable(FdsVariable);
        if (string.IsNullOrEmpty(fds)) return new AflForkserver(AflProtocol.ControlFd, AflProtocol.StatusFd);
        string[] parts = fds.Split(',');
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int ctl)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int st))
            throw new Harness.Core.MalformedInputException($"{FdsVariable} must be 'CONTROL_FD,STATUS_FD', not '{fds}'");
        return new AflForkserver(ctl, st);
    }

    /// <summary>Sends the hello announcing a MapSize-byte map. False if afl is not listening.</summary>
    public bool SendHello(int mapSize) => Libc.WriteU32(StatusFd, AflProtocol.Hello(mapSize));

    /// <summary>Waits for afl's go. False when afl has gone away (EOF): time to exit.</summary>
    public bool WaitForRun(out bool previousWasKilled)
    {
        bool ok = Libc.ReadU32(ControlFd, out uint v);
        previousWasKilled = ok && v != 0;
        return ok;
    }

    public bool ReportPid(int pid) => Libc.WriteU32(StatusFd, (uint)pid);

    public bool ReportStatus(uint status) => Libc.WriteU32(StatusFd, status);

    /// <summary>Keeps the pipes out of child processes (the supervisor's worker must not hold them).</summary>
    public void CloseOnExec()
    {
        Libc.SetCloseOnExec(ControlFd);
        Libc.SetCloseOnExec(StatusFd);
    }
}
