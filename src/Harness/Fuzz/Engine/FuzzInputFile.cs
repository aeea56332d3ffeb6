// FuzzInputFile: reads "an input" the way every fuzz command accepts it: either a fuzz repro
// artifact (JSON, engine "fuzz", payload kind "bytes") or a raw input file of any content.
using Harness.Artifacts;

namespace Harness.Fuzz.Engine;

public static class FuzzInputFile
{
    public static (byte[] Input, ReproArtifact? Artifact) Load(string path)
    {
        if (!File.Exists(path)) throw new Harness.Core.MalformedInputException($"{path}: no such file");
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new Harness.Core.MalformedInputException($"{path}: cannot read ({e.Message})");
        }
        // An artifact is JSON with the artifact format marker; anything else is a raw input.
        int i = 0;
        while (i < bytes.Length && bytes[i] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t') i++;
        if (i < bytes.Length && bytes[i] == (byte)'{' && System.Text.Encoding.UTF8.GetString(bytes).Contains(ReproArtifact.FormatName, StringComparison.Ordinal))
        {
            ReproArtifact artifact = ReproArtifact.Parse(System.Text.Encoding.UTF8.GetString(bytes), path);
            return (FindingWriter.InputOf(artifact, path), artifact);
        }
        return (bytes, null);
    }
}
