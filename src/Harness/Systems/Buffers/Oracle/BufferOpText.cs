// BufferOpText: the readable one-line form of a BufferOp, used by traces, property counterexamples
// and artifacts, and its parser. Format and ParseLines are inverses on every op the generator and
// the fuzz codec produce (BufferOpTextTests round-trips them).
//
//   b1 read r0/3 bulkread zero-on-error     b0 read-zero r2/1 cleanup = 77     b0 release #1
//   b0 lock #0 exclusive    b0 unlock #0    b0 modify #0 = 1234    b2 inspect #0    b0 hint #1 = 9
//   b0 flush #0    b0 cleanup #0    b1 extend r2    b0 evict r0/1    b0 truncate r1 to 2
//   b0 drop-database d1    b0 flush-relation r0    b0 flush-database d0    checkpoint [shutdown]
//   bgwriter    b0 commit    b0 abort    fault write-error    crash
using System.Globalization;
using Allocator.Storage;
using Harness.Core;
using Harness.Properties;

namespace Harness.Systems.Buffers.Oracle;

public sealed class BufferOpText : IOpText<BufferOp>
{
    public static BufferOpText Instance { get; } = new();

    private static readonly string[] s_strategies = ["normal", "bulkread", "bulkwrite", "vacuum"];

    public static string FaultName(StorageFaultKind k) => k switch
    {
        StorageFaultKind.ReadError => "read-error",
        StorageFaultKind.ShortRead => "short-read",
        StorageFaultKind.BitFlip => "bit-flip",
        StorageFaultKind.WriteError => "write-error",
        StorageFaultKind.TornWrite => "torn-write",
        StorageFaultKind.Crash => "crash-at-io",
        _ => "none",
    };

    public string Format(BufferOp op)
    {
        string b = $"b{op.Backend}";
        string page = $"r{op.Rel}/{op.Block}";
        return op.Code switch
        {
            BufferOpCode.Read => $"{b} read {page}" + ((op.Mode & 3) == 0 ? "" : $" {s_strategies[op.Mode & 3]}") + ((op.Mode & 4) != 0 ? " zero-on-error" : ""),
            BufferOpCode.ReadZero => $"{b} read-zero {page}{((op.Mode & 1) != 0 ? " cleanup" : "")} = {op.Value}",
            BufferOpCode.Release => $"{b} release #{op.Pin}",
            BufferOpCode.Lock => $"{b} lock #{op.Pin} {(op.Mode == 2 ? "exclusive" : "share")}",
            BufferOpCode.Unlock => $"{b} unlock #{op.Pin}",
            BufferOpCode.Modify => $"{b} modify #{op.Pin} = {op.Value}",
            BufferOpCode.Inspect => $"{b} inspect #{op.Pin}",
            BufferOpCode.Hint => $"{b} hint #{op.Pin} = {(uint)op.Value}",
            BufferOpCode.Flush => $"{b} flush #{op.Pin}",
            BufferOpCode.Cleanup => $"{b} cleanup #{op.Pin}",
            BufferOpCode.Extend => $"{b} extend r{op.Rel}",
            BufferOpCode.Evict => $"{b} evict {page}",
            BufferOpCode.Truncate => $"{b} truncate r{op.Rel} to {op.Block}",
            BufferOpCode.DropDatabase => $"{b} drop-database d{op.Rel}",
            BufferOpCode.FlushRelation => $"{b} flush-relation r{op.Rel}",
            BufferOpCode.FlushDatabase => $"{b} flush-database d{op.Rel}",
            BufferOpCode.Checkpoint => op.Mode == 1 ? "checkpoint shutdown" : "checkpoint",
            BufferOpCode.BgWriter => op.Mode switch { 1 => "bgwriter hibernate", 2 => "bgwriter wake", _ => "bgwriter" },
            BufferOpCode.Commit => $"{b} commit",
            BufferOpCode.Abort => $"{b} abort",
            BufferOpCode.Fault => $"fault {FaultName((StorageFaultKind)op.Mode)}",
            BufferOpCode.Crash => "crash",
            _ => $"op{(int)op.Code}",
        };
    }

    public IReadOnlyList<BufferOp> ParseLines(string text) => OpTextLines.Parse(text, ParseLine);

    public static BufferOp ParseLine(string line)
    {
        string[] w = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        int k = 0;
        int backend = 0;
        if (w.Length > 0 && w[0].Length > 1 && w[0][0] == 'b' && char.IsAsciiDigit(w[0][1]))
        {
            backend = Int(w[0][1..], "backend");
            k = 1;
        }
        if (k >= w.Length) throw new FormatException("no operation");
        string verb = w[k];
        string Arg(int j) => k + j < w.Length ? w[k + j] : throw new FormatException($"'{verb}' needs more words");
        (int rel, uint block) Page(string s)
        {
            string[] p = s.TrimStart('r').Split('/');
            if (s[0] != 'r' || p.Length != 2) throw new FormatException($"'{s}' is not a page (rN/B)");
            return (Int(p[0], "relation"), (uint)Int(p[1], "block"));
        }
        int PinArg() => Arg(1).StartsWith('#') ? Int(Arg(1)[1..], "pin") : throw new FormatException($"'{Arg(1)}' is not a pin (#N)");
        ulong ValueAfterEquals()
        {
            int eq = Array.IndexOf(w, "=");
            if (eq < 0 || eq + 1 >= w.Length) throw new FormatException("missing '= value'");
            return ulong.TryParse(w[eq + 1], NumberStyles.None, CultureInfo.InvariantCulture, out ulong v) ? v : throw new FormatException($"'{w[eq + 1]}' is not a value");
        }
        bool Has(string word) => Array.IndexOf(w, word, k + 1) >= 0;

        switch (verb)
        {
            case "read":
            {
                var (r, blk) = Page(Arg(1));
                int strategy = 0;
                for (int s = 1; s < s_strategies.Length; s++) if (Has(s_strategies[s])) strategy = s;
                return new BufferOp(BufferOpCode.Read, backend, r, blk, Mode: strategy | (Has("zero-on-error") ? 4 : 0));
            }
            case "read-zero":
            {
                var (r, blk) = Page(Arg(1));
                return new BufferOp(BufferOpCode.ReadZero, backend, r, blk, Mode: Has("cleanup") ? 1 : 0, Value: ValueAfterEquals());
            }
            case "release": return new BufferOp(BufferOpCode.Release, backend, Pin: PinArg());
            case "lock":
                return new BufferOp(BufferOpCode.Lock, backend, Pin: PinArg(), Mode: Arg(2) switch
                {
                    "share" => 1,
                    "exclusive" => 2,
                    _ => throw new FormatException($"'{Arg(2)}' is not share or exclusive"),
                });
            case "unlock": return new BufferOp(BufferOpCode.Unlock, backend, Pin: PinArg());
            case "modify": return new BufferOp(BufferOpCode.Modify, backend, Pin: PinArg(), Value: ValueAfterEquals());
            case "inspect": return new BufferOp(BufferOpCode.Inspect, backend, Pin: PinArg());
            case "hint": return new BufferOp(BufferOpCode.Hint, backend, Pin: PinArg(), Value: (uint)ValueAfterEquals());
            case "flush": return new BufferOp(BufferOpCode.Flush, backend, Pin: PinArg());
            case "cleanup": return new BufferOp(BufferOpCode.Cleanup, backend, Pin: PinArg());
            case "extend": return new BufferOp(BufferOpCode.Extend, backend, Rel: Int(Arg(1).TrimStart('r'), "relation"));
            case "evict":
            {
                var (r, blk) = Page(Arg(1));
                return new BufferOp(BufferOpCode.Evict, backend, r, blk);
            }
            case "truncate":
                if (Arg(2) != "to") throw new FormatException("expected 'truncate rN to B'");
                return new BufferOp(BufferOpCode.Truncate, backend, Int(Arg(1).TrimStart('r'), "relation"), (uint)Int(Arg(3), "size"));
            case "drop-database": return new BufferOp(BufferOpCode.DropDatabase, backend, Int(Arg(1).TrimStart('d'), "database"));
            case "flush-relation": return new BufferOp(BufferOpCode.FlushRelation, backend, Int(Arg(1).TrimStart('r'), "relation"));
            case "flush-database": return new BufferOp(BufferOpCode.FlushDatabase, backend, Int(Arg(1).TrimStart('d'), "database"));
            case "checkpoint": return new BufferOp(BufferOpCode.Checkpoint, Mode: Has("shutdown") ? 1 : 0);
            case "bgwriter": return new BufferOp(BufferOpCode.BgWriter, Mode: Has("hibernate") ? 1 : Has("wake") ? 2 : 0);
            case "commit": return new BufferOp(BufferOpCode.Commit, backend);
            case "abort": return new BufferOp(BufferOpCode.Abort, backend);
            case "fault":
                for (var f = StorageFaultKind.ReadError; f <= StorageFaultKind.Crash; f++)
                    if (FaultName(f) == Arg(1)) return new BufferOp(BufferOpCode.Fault, Mode: (int)f);
                throw new FormatException($"'{Arg(1)}' is not a fault kind");
            case "crash": return new BufferOp(BufferOpCode.Crash);
            default: throw new FormatException($"unknown operation '{verb}'");
        }
    }

    private static int Int(string s, string what) =>
        int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out int v) ? v : throw new FormatException($"'{s}' is not a {what} number");
}
