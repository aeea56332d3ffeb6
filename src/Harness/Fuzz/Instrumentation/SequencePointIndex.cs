// SequencePointIndex: maps an original IL offset to "file:line" of the nearest sequence point at or
// before it, for the coverage manifest. Empty when the method has no debug information.
using Mono.Cecil.Cil;
using Mono.Cecil;

namespace Harness.Fuzz.Instrumentation;

internal sealed class SequencePointIndex
{
    private readonly (int Offset, string Source)[] _points;

    public SequencePointIndex(MethodDefinition method)
    {
        if (!method.DebugInformation.HasSequencePoints)
        {
            _points = Array.Empty<(int, string)>();
            return;
        }
        _points = method.DebugInformation.SequencePoints
            .Where(p => !p.IsHidden)
            .Select(p => (p.Offset, $"{Path.GetFileName(p.Document.Url)}:{p.StartLine}"))
            .OrderBy(p => p.Offset)
            .ToArray();
    }

    public string SourceAt(int ilOffset)
    {
        string best = "";
        foreach ((int offset, string source) in _points)
        {
            if (offset > ilOffset) break;
            best = source;
        }
        return best;
    }
}
