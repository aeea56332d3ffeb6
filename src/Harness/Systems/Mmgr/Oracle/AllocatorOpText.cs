// AllocatorOpText: the one-line text form of AllocatorOp, read back. Every op's ToString is
// "Name key=value ..." and Parse accepts exactly that (plus blank lines and '#' comments in
// ParseLines), so an op list printed by a failing property can be pasted into an artifact.
// Malformed text is a MalformedInputException that names the line and the field.
using System.Globalization;
using Harness.Core;
using Harness.Fuzz.Engine;
using Harness.Fuzz;

namespace Harness.Systems.Mmgr.Oracle;

public static class AllocatorOpText
{
    public static string FormatFlags(AllocFlags flags)
    {
        if (flags == AllocFlags.None) return "0";
        string s = "";
        if ((flags & AllocFlags.Huge) != 0) s += "HUGE";
        if ((flags & AllocFlags.NoOom) != 0) s += (s.Length > 0 ? "|" : "") + "NO_OOM";
        if ((flags & AllocFlags.Zero) != 0) s += (s.Length > 0 ? "|" : "") + "ZERO";
        return s;
    }

    /// <summary>One op per line; blank lines and lines starting with '#' are ignored.</summary>
    public static List<AllocatorOp> ParseLines(string text)
    {
        var ops = new List<AllocatorOp>();
        string[] lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            ops.Add(Parse(line, i + 1));
        }
        return ops;
    }

    public static AllocatorOp Parse(string line, int lineNumber = 0)
    {
        string[] parts = line.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0) throw Bad(lineNumber, line, "empty operation");
        var kv = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 1; i < parts.Length; i++)
        {
            int eq = parts[i].IndexOf('=');
            if (eq <= 0) throw Bad(lineNumber, line, $"'{parts[i]}' is not key=value");
            if (!kv.TryAdd(parts[i][..eq], parts[i][(eq + 1)..])) throw Bad(lineNumber, line, $"'{parts[i][..eq]}' given twice");
        }
        var f = new Fields(kv, lineNumber, line);
        AllocatorOp op = parts[0] switch
        {
            "CreateContext" => CreateFrom(f),
            "Alloc" => new Alloc(f.Ref("ctx"), f.U64("size"), f.Flags("flags"), f.Enum<AllocEntry>("entry"), f.Bool("slabfit"), f.U64("align")),
            "Realloc" => new Realloc(f.Ref("chunk"), f.U64("size"), f.Flags("flags"), f.Enum<ReallocEntry>("entry"), f.Bool("slabfit")),
            "Free" => new Free(f.Ref("chunk")),
            "WritePattern" => new WritePattern(f.Ref("chunk"), f.U8("seed")),
            "VerifyPattern" => new VerifyPattern(f.Ref("chunk")),
            "Reset" => new Reset(f.Ref("ctx")),
            "ResetOnly" => new ResetOnly(f.Ref("ctx")),
            "ResetChildren" => new ResetChildren(f.Ref("ctx")),
            "Delete" => new Delete(f.Ref("ctx")),
            "DeleteChildren" => new DeleteChildren(f.Ref("ctx")),
            "SetParent" => new SetParent(f.Ref("ctx"), f.ParentRef("parent")),
            "SwitchTo" => new SwitchTo(f.ParentRef("ctx")),
            "RegisterCallback" => new RegisterCallback(f.Ref("ctx")),
            "Stats" => new Stats(f.ParentRef("ctx")),
            "Check" => new Check(f.ParentRef("ctx")),
            "WritePastEnd" => new WritePastEnd(f.Ref("chunk"), f.U8("offset"), f.U8("value")),
            "DoubleFree" => new DoubleFree(f.Ref("freed")),
            "FreeNonChunk" => new FreeNonChunk(f.Enum<NonChunkKind>("kind"), f.Ref("chunk"), f.U64("arg")),
            "UseAfterFree" => new UseAfterFree(f.Ref("freed"), f.Enum<MemoryAccess>("access"), (uint)Math.Min(f.U64("offset"), uint.MaxValue), f.U8("value")),
            _ => throw Bad(lineNumber, line, $"unknown operation '{parts[0]}'"),
        };
        f.RejectUnused();
        return op;
    }

    private static CreateContext CreateFrom(Fields f)
    {
        ContextKind kind = f.Enum<ContextKind>("kind");
        int parent = f.ParentRef("parent");
        return kind == ContextKind.Slab
            ? new CreateContext(kind, parent, 0, f.U64("block"), 0, f.U64("chunk"))
            : new CreateContext(kind, parent, f.U64("min"), f.U64("init"), f.U64("max"), 0);
    }

    private static MalformedInputException Bad(int lineNumber, string line, string what) =>
        new(lineNumber > 0 ? $"op line {lineNumber}: {what}: '{line}'" : $"op: {what}: '{line}'");

    private sealed class Fields(Dictionary<string, string> kv, int lineNumber, string line)
    {
        private readonly HashSet<string> _used = new(StringComparer.Ordinal);

        private string Get(string key)
        {
            _used.Add(key);
            return kv.TryGetValue(key, out string? v) ? v : throw Bad(lineNumber, line, $"missing '{key}='");
        }

        public ulong U64(string key)
        {
            string v = Get(key);
            return Numbers.TryParseULong(v, out ulong x) ? x : throw Bad(lineNumber, line, $"'{key}' is not a number: '{v}'");
        }

        public byte U8(string key)
        {
            ulong x = U64(key);
            return x <= 255 ? (byte)x : throw Bad(lineNumber, line, $"'{key}' must be 0..255");
        }

        public bool Bool(string key) => Get(key) switch
        {
            "0" or "false" => false,
            "1" or "true" => true,
            string v => throw Bad(lineNumber, line, $"'{key}' must be 0 or 1, not '{v}'"),
        };

        public int Ref(string key)
        {
            string v = Get(key);
            if (v.Length > 1 && v[0] == '#' && int.TryParse(v.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out int r)) return r;
            throw Bad(lineNumber, line, $"'{key}' must be a reference like #3, not '{v}'");
        }

        public int ParentRef(string key)
        {
            if (kv.TryGetValue(key, out string? v) && v == "null")
            {
                _used.Add(key);
                return AllocatorOp.NullParent;
            }
            return Ref(key);
        }

        public T Enum<T>(string key) where T : struct, System.Enum
        {
            string v = Get(key);
            if (!char.IsDigit(v[0]) && System.Enum.TryParse(v, ignoreCase: false, out T e) && System.Enum.IsDefined(e)) return e;
            throw Bad(lineNumber, line, $"'{key}' must be one of {string.Join("|", System.Enum.GetNames<T>())}, not '{v}'");
        }

        public AllocFlags Flags(string key)
        {
            string v = Get(key);
            if (v == "0") return AllocFlags.None;
            AllocFlags flags = AllocFlags.None;
            foreach (string part in v.Split('|'))
            {
                flags |= part switch
                {
                    "HUGE" => AllocFlags.Huge,
                    "NO_OOM" => AllocFlags.NoOom,
                    "ZERO" => AllocFlags.Zero,
                    _ => throw Bad(lineNumber, line, $"unknown flag '{part}' (HUGE|NO_OOM|ZERO or 0)"),
                };
            }
            return flags;
        }

        public void RejectUnused()
        {
            foreach (string k in kv.Keys)
                if (!_used.Contains(k)) throw Bad(lineNumber, line, $"unexpected field '{k}'");
        }
    }
}
