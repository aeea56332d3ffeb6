// AflChildLoop: the worker side of supervised mode. It never touches afl's pipes: the supervisor
// sends one 4-byte "go" per execution on this process's stdin, and it answers with one 4-byte
// status on stdout (everything the target prints is moved to stderr so it cannot corrupt the
// channel). It attaches afl's shared map itself (the id is inherited through the environment).
// EOF on stdin means the supervisor is gone: exit.
using Harness.Cli;
using Harness.Core;

namespace Harness.Fuzz.Afl;

public static class AflChildLoop
{
    /// <summary>Word the child sends once it is warmed up and attached (the supervisor waits for it).</summary>
    public const uint Ready = 0x52454459;   // "READY" abbreviated: 'R','E','D','Y' as a host-order word

    public static int Run(IFuzzTarget target, string inputPath, TextWriter log)
    {
        Stream control = Console.OpenStandardInput();
        Stream status = Console.OpenStandardOutput();
        Console.SetOut(Console.Error);
        AflRunner.WarmUp(target);
        if (AflSharedMap.Present) AflSharedMap.Attach();
        var input = new AflInput(inputPath);
        Span<byte> word = stackalloc byte[4];
        if (!Write(status, Ready, word)) return ExitCodes.Ok;
        while (ReadWord(control, word))
        {
            Outcome outcome = AflRunner.RunOnce(target, input.Read());
            if (!Write(status, AflFaultSignals.StatusFor(outcome.Kind), word)) break;
        }
        log.Flush();
        return ExitCodes.Ok;
    }

    internal static bool ReadWord(Stream s, Span<byte> word)
    {
        int got = 0;
        while (got < 4)
        {
            int n = s.Read(word[got..]);
            if (n <= 0) return false;
            got += n;
        }
        return true;
    }

    internal static bool Write(Stream s, uint value, Span<byte> word)
    {
        try
        {
            BitConverter.TryWriteBytes(word, value);
            s.Write(word);
            s.Flush();
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
