// FuzzDictionaryFile: a target's dictionary tokens (IStructureAware.Dictionary, the boundary values
// in wire form the in-process engine splices in) written as a dictionary file in the format
// libFuzzer's -dict= and AFL++'s -x read: one quoted token per line, printable ASCII as itself
// except '"' and '\', every other byte as \xNN. Tokens keep their registry order and duplicates
// are written once, so the same target always gives the same file.
using System.Text;
using Harness.Fuzz.Engine;

namespace Harness.Fuzz.LibFuzzer;

public static class FuzzDictionaryFile
{
    /// <summary>The file's text for a target (null when the target has no dictionary).</summary>
    public static string? For(IFuzzTarget target)
    {
        if (target is not IStructureAware s || s.Dictionary.Count == 0) return null;
        var sb = new StringBuilder();
        sb.Append("# ").Append(target.Name).Append(": ").Append(s.Dictionary.Count)
          .Append(" tokens from the target's IStructureAware.Dictionary (written by harness; do not edit)\n");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int n = 0;
        foreach (byte[] token in s.Dictionary)
        {
            if (token.Length == 0) continue;
            string quoted = Quote(token);
            if (!seen.Add(quoted)) continue;
            sb.Append("t").Append(n++).Append('=').Append(quoted).Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>Writes the dictionary to PATH when the target has one; returns whether it did.</summary>
    public static bool Write(IFuzzTarget target, string path)
    {
        string? text = For(target);
        if (text is null) return false;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        CorpusFolder.WriteAtomic(path, Encoding.ASCII.GetBytes(text));
        return true;
    }

    public static string Quote(ReadOnlySpan<byte> token)
    {
        var sb = new StringBuilder(token.Length * 4 + 2).Append('"');
        foreach (byte b in token)
        {
            if (b is >= 0x20 and < 0x7f && b != (byte)'"' && b != (byte)'\\') sb.Append((char)b);
            else sb.Append("\\x").Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }
        return sb.Append('"').ToString();
    }
}
