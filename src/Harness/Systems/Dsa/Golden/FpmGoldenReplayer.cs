// FpmGoldenReplayer: replays a FreePageManager golden vector (tools/pg-golden/fpm/golden.c run on
// PostgreSQL's freepage.c, committed under tests/Harness.Tests/Systems/Dsa/Golden/fpm) on the
// port's FreePageManager and prints the same lines the C program printed.
//
// A vector's first line is "# golden SEED NPAGES NOPS START"; every other line is one operation
// ("put FIRST N" or "get N = FIRST|none") followed by " | " and the manager's observable fields.
// The replayer takes only the operation's inputs from the vector (the put's run, the get's size);
// a get's result and every field are the port's own, so a port that picks other pages, or grows,
// shrinks or recomputes its btree at other times, prints another line.
// Invariants:
//   1. The manager sits in page 0 of an NPAGES-page region, as DSA keeps it in a segment header
//      and golden.c lays it out; the layout is the 64-bit one without FPM_EXTRA_ASSERTS (the C
//      build is a normal one).
//   2. An exception from the port (an Assert, a fault, an ERROR) ends the replay with a line
//      "OP = CRASH TYPE: MESSAGE": PostgreSQL printed no such line, so it is a difference.
//   3. FreePageManagerCheck walks the manager every 50 operations and after the last; a violation
//      is printed as a line "  check: ..." that the vector cannot contain.
using System.Globalization;
using System.Text;
using Allocator.Dsa;
using Allocator.Sim;

namespace Harness.Systems.Dsa.Golden;

public static class FpmGoldenReplayer
{
    /// <summary>The header every fpm vector starts with.</summary>
    public const string HeaderPrefix = "# golden ";

    /// <summary>The vector's text without its header (what the port must print) and the port's text.</summary>
    public static (string Expected, string Port) Run(string text)
    {
        string[] lines = text.Replace("\r", "", StringComparison.Ordinal).TrimEnd('\n').Split('\n');
        if (lines.Length == 0 || !lines[0].StartsWith(HeaderPrefix, StringComparison.Ordinal))
            throw new FormatException($"an fpm vector starts with '{HeaderPrefix}SEED NPAGES NOPS START'");
        string[] header = lines[0].Split(' ');
        ulong pages = ulong.Parse(header[3], NumberStyles.None, CultureInfo.InvariantCulture);
        var m = new SimMemory(heapMax: 1 << 20, initialHeapCapacity: 4096);
        SimRegion region = m.MapRegion("fpm", pages * FpmLayout.FPM_PAGE_SIZE);
        FreePageManager fpm = FreePageManager.Initialize(m, region.Base, region.Base, FpmLayout.For(PointerProfile.Bits64, extraAsserts: false));
        var expected = new StringBuilder();
        var port = new StringBuilder();
        for (int i = 1; i < lines.Length; i++)
        {
            expected.Append(lines[i]).Append('\n');
            string op = lines[i].Split(" | ")[0];
            string[] w = op.Split(' ');
            ulong U(int k) => ulong.Parse(w[k], NumberStyles.None, CultureInfo.InvariantCulture);
            bool put = w[0] == "put" && w.Length == 3;
            if (!put && !(w[0] == "get" && w.Length >= 2))
                throw new FormatException($"line {i + 1}: expected 'put FIRST N | ...' or 'get N = ... | ...', not '{lines[i]}'");
            try
            {
                if (put)
                {
                    fpm.Put(U(1), U(2));
                    port.Append(op);
                }
                else
                {
                    ulong n = U(1);
                    port.Append(fpm.Get(n, out ulong first) ? $"get {n} = {first}" : $"get {n} = none");
                }
            }
            catch (Exception e) when (e is not FormatException)
            {
                // the port failed where PostgreSQL went on (an Assert, a fault, an ERROR): a
                // difference, printed where the op's line should be, and the end of the replay
                port.Append(op).Append(" = CRASH ").Append(e.GetType().Name).Append(": ").Append(e.Message.Split('\n')[0]).Append('\n');
                break;
            }
            port.Append(CultureInfo.InvariantCulture,
                $" | depth={fpm.btree_depth} recycle={fpm.btree_recycle_count} single={fpm.singleton_first_page}+{fpm.singleton_npages} contig={fpm.contiguous_pages} dirty={(fpm.contiguous_pages_dirty ? 1 : 0)}\n");
            if (i % 50 == 0 || i == lines.Length - 1)
                foreach (string v in FreePageManagerCheck.Check(fpm, new FpmCheckOptions()))
                    port.Append("  check: ").Append(v).Append('\n');
        }
        return (expected.ToString(), port.ToString());
    }
}
