// DsaGoldenReplayer: runs a dsa golden stream (tools/pg-golden/dsa/driver.c's input: a first line
// "# dsa-golden init=BYTES limit=BYTES", then DsaOpText lines) on the port's DsaArea and prints
// what driver.c prints for it on PostgreSQL's dsa.c and freepage.c, so a vector is the C driver's
// output and a replay is a text comparison (GoldenText.FirstDifference).
//
// The area is dsa_create_ext(init, DSA_MAX_SEGMENT_SIZE) in one backend, 64-bit dsa_pointers, the
// port's default options (PostgreSQL's behaviour, the known findings D1 and F1 included, as the C
// code has them; freed memory clobbered, as driver.c's dsa.c is built with CLOBBER_FREED_MEMORY),
// then dsa_set_size_limit(limit). Per op: the op line, one result line
//   "  = DSA_POINTER" | "  = invalid" | "  = ERROR message; detail" | "  = freed DSA_POINTER" |
//   "  = ok" (trim) | "  = skip" (every other op: the golden streams have none)
// then dsa_dump's text indented four spaces (Normalise). Invariants:
//   1. Frees name the live list (the valid results, in allocation order) modulo its length, and
//      remove the entry, keeping the others' order, exactly as driver.c does; a free with nothing
//      live is a skip.
//   2. An exception other than an ERROR (an Assert, a fault, a FATAL) ends the replay with
//      "  = CRASH TYPE: MESSAGE": PostgreSQL printed no such line, so it is a difference.
//   3. Nothing here depends on addresses: a dsa_pointer is (segment index, offset), which the port
//      and dsa.c compute alike; the handle and mapped addresses are dropped from the dump.
using System.Globalization;
using System.Text;
using Allocator.Common;
using Allocator.Dsa;
using Allocator.Shmem;
using Harness.Systems.Dsa.Oracle;

namespace Harness.Systems.Dsa.Golden;

public static class DsaGoldenReplayer
{
    /// <summary>A stream's first line, naming the area's first segment size and size limit.</summary>
    public const string HeaderPrefix = "# dsa-golden ";

    private const int TrancheId = 100;

    /// <summary>The header line for an area.</summary>
    public static string Header(ulong init, ulong limit) => string.Create(CultureInfo.InvariantCulture, $"{HeaderPrefix}init={init} limit={limit}");

    /// <summary>The vector's (or stream's) expected text without comments, and the port's text.</summary>
    public static (string Expected, string Port) Run(string text)
    {
        string[] lines = text.Replace("\r", "", StringComparison.Ordinal).TrimEnd('\n').Split('\n');
        (ulong init, ulong limit) = ParseHeader(lines[0]);
        var expected = new StringBuilder();
        var ops = new List<string>();
        foreach (string line in lines.Skip(1))
        {
            if (line.Length == 0 || line[0] == '#') continue;
            expected.Append(line).Append('\n');
            if (line[0] != ' ') ops.Add(line);
        }
        return (expected.ToString(), Print(init, limit, ops));
    }

    private static (ulong Init, ulong Limit) ParseHeader(string line)
    {
        string[] w = line.StartsWith(HeaderPrefix, StringComparison.Ordinal) ? line[HeaderPrefix.Length..].Split(' ') : [];
        if (w.Length != 2 || !w[0].StartsWith("init=", StringComparison.Ordinal) || !w[1].StartsWith("limit=", StringComparison.Ordinal))
            throw new FormatException($"a dsa golden stream starts with '{HeaderPrefix}init=BYTES limit=BYTES'");
        return (ulong.Parse(w[0].AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture),
            ulong.Parse(w[1].AsSpan(6), NumberStyles.None, CultureInfo.InvariantCulture));
    }

    /// <summary>The port's text for the op lines on a fresh area (see the purpose block).</summary>
    public static string Print(ulong init, ulong limit, IReadOnlyList<string> opLines)
    {
        var sb = new StringBuilder();
        var control = new DsmControl(new DsmControlOptions(MaxBackends: 16, Seed: 1));
        DsaLayout l = DsaLayout.Wide;
        DsaArea area = DsaArea.dsa_create_ext(control.Attach(0), TrancheId, init, l.P.DSA_MAX_SEGMENT_SIZE, l, new DsaOptions());
        area.dsa_set_size_limit(limit);
        var live = new List<ulong>();
        foreach (string line in opLines)
        {
            sb.Append(line).Append('\n');
            DsaOp op = DsaOpText.ParseLine(line);
            try
            {
                sb.Append(Step(area, l, op, live)).Append('\n');
            }
            catch (Exception e) when (e is not PgErrorException and not FormatException)
            {
                sb.Append("  = CRASH ").Append(e.GetType().Name).Append(": ").Append(e.Message.Split('\n')[0]).Append('\n');
                break;
            }
            Normalise(area.dsa_dump(), sb);
        }
        return sb.ToString();
    }

    private static string Step(DsaArea area, DsaLayout l, DsaOp op, List<ulong> live)
    {
        switch (op.Code)
        {
            case DsaOpCode.Alloc:
                ulong dp;
                try
                {
                    dp = area.dsa_allocate_extended(op.Size, op.Flags);
                }
                catch (PgErrorException e)
                {
                    return e.Detail is null ? $"  = ERROR {e.Message}" : $"  = ERROR {e.Message}; {e.Detail}";
                }
                if (!DsaPointerLayout.DsaPointerIsValid(dp)) return "  = invalid";
                live.Add(dp);
                return $"  = {l.P.Format(dp)}";
            case DsaOpCode.Free when live.Count > 0:
                int i = op.Index % live.Count;
                ulong freed = live[i];
                live.RemoveAt(i);
                area.dsa_free(freed);
                return $"  = freed {l.P.Format(freed)}";
            case DsaOpCode.Trim:
                area.dsa_trim();
                return "  = ok";
            default:
                return "  = skip";
        }
    }

    /// <summary>dsa_dump's text as driver.c prints it: each line indented four spaces, the handle
    /// (the DSM handle of the first segment: the DSM layer's numbering, not dsa.c's) printed as H,
    /// and each segment's ", mapped at ADDRESS" (this process's mapping) cut.</summary>
    public static void Normalise(string dump, StringBuilder sb)
    {
        foreach (string raw in dump.TrimEnd('\n').Split('\n'))
        {
            string line = raw.StartsWith("dsa_area handle ", StringComparison.Ordinal) ? "dsa_area handle H:" : raw;
            int mapped = line.IndexOf(", mapped at ", StringComparison.Ordinal);
            if (mapped >= 0) line = line[..mapped];
            sb.Append("    ").Append(line).Append('\n');
        }
    }
}
