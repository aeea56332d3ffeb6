// ProbeStripper: takes SharpFuzz's coverage probes back out of the methods the port marks
// [ExcludeFromCodeCoverage].
//
// SharpFuzz 2.3.0 puts the same thirteen instructions before every block leader of every method of
// the types it selects (read in its src/SharpFuzz/Method.cs):
//   ldsfld Trace.SharedMem; ldc.i4 id; ldsfld Trace.PrevLocation; xor; add; dup; ldind.u1;
//   ldc.i4.1; add; conv.u1; stind.i1; ldc.i4 id>>1; stsfld Trace.PrevLocation
// and points every branch, switch case and exception-handler boundary that targeted the leader at
// the probe's first instruction instead. It selects types by name only, so the invariant walkers
// that live in the port's own partial types (AllocSet.Verify, Mcxt.Check, ...) are probed like the
// port. Their edges are the oracle's, not the system's: they fill the map with branches that say
// nothing about which port behaviour an input reached, and they cost time on every execution.
//
// Removing a probe is the exact inverse of inserting it: every reference to one of its thirteen
// instructions is moved to the instruction after it (the original leader), then the thirteen are
// deleted. A method is stripped when it, or a type enclosing it, carries the attribute; so are the
// compiler-generated methods of such a method (lambdas, local functions and iterator/async state
// machines, whose names start with "<Name>").
//
// Invariants, checked on every run (a violation is an error and nothing is written):
//   PS1  every removed sequence is exactly SharpFuzz's probe shape (reading SharedMem, xor with and
//        store to PrevLocation), so nothing of the port's own IL is ever removed;
//   PS2  after stripping, no instruction operand, switch target or exception-handler boundary of a
//        stripped method refers to a removed instruction;
//   PS3  a stripped method has no instruction left that touches Trace.SharedMem or PrevLocation;
//   PS4  probes before = probes removed + probes left: every other method keeps all of its probes.
using Mono.Cecil;
using Mono.Cecil.Cil;

namespace ProbeStrip;

public sealed record StripResult(int ProbesBefore, int ProbesRemoved, int MethodsStripped, IReadOnlyList<string> Methods);

public sealed class ProbeStripException(string message) : Exception(message);

public static class ProbeStripper
{
    /// <summary>The probe's length in instructions (SharpFuzz without its OnBranch callback).</summary>
    public const int ProbeLength = 13;

    public const string TraceType = "SharpFuzz.Common.Trace";
    public const string ExcludeAttribute = "System.Diagnostics.CodeAnalysis.ExcludeFromCodeCoverageAttribute";

    /// <summary>Strips the probes of every marked method of <paramref name="module"/> in memory.</summary>
    public static StripResult Strip(ModuleDefinition module)
    {
        int before = CountProbes(module);
        int removed = 0;
        var stripped = new List<string>();
        foreach (TypeDefinition type in module.GetTypes())
        {
            foreach (MethodDefinition method in type.Methods)
            {
                if (!method.HasBody || !IsExcluded(method)) continue;
                int n = StripMethod(method);
                if (n == 0) continue;
                removed += n;
                stripped.Add(method.FullName);
            }
        }
        int after = CountProbes(module);
        if (before != removed + after)   // PS4
            throw new ProbeStripException($"PS4: {before} probes before, {removed} removed, {after} left");
        stripped.Sort(StringComparer.Ordinal);
        return new StripResult(before, removed, stripped.Count, stripped);
    }

    /// <summary>True if the method, an enclosing type, or (for compiler-generated code) the source
    /// method it was generated from carries [ExcludeFromCodeCoverage].</summary>
    public static bool IsExcluded(MethodDefinition method)
    {
        if (HasExclude(method)) return true;
        for (TypeDefinition? t = method.DeclaringType; t is not null; t = t.DeclaringType)
            if (HasExclude(t)) return true;
        // <Name>b__0_1 (lambda), <Name>g__Local|0_0 (local function), or a method of <Name>d__3
        // (iterator state machine): generated from source method Name of an enclosing type.
        string? source = SourceName(method.Name) ?? SourceName(method.DeclaringType.Name);
        if (source is null) return false;
        for (TypeDefinition? t = method.DeclaringType; t is not null; t = t.DeclaringType)
            if (t.Methods.Any(m => m.Name == source && HasExclude(m))) return true;
        return false;
    }

    private static string? SourceName(string generated)
    {
        if (generated.Length < 3 || generated[0] != '<') return null;
        int close = generated.IndexOf('>');
        return close > 1 ? generated[1..close] : null;
    }

    private static bool HasExclude(ICustomAttributeProvider p) =>
        p.HasCustomAttributes && p.CustomAttributes.Any(a => a.AttributeType.FullName == ExcludeAttribute);

    /// <summary>Removes every probe of one method; returns how many.</summary>
    public static int StripMethod(MethodDefinition method)
    {
        MethodBody body = method.Body;
        var il = body.Instructions;
        var removed = new HashSet<Instruction>();
        int count = 0;
        for (int i = 0; i + ProbeLength < il.Count;)
        {
            if (!IsProbeAt(il, i))
            {
                i++;
                continue;
            }
            Instruction leader = il[i + ProbeLength];
            var probe = new HashSet<Instruction>(il.Skip(i).Take(ProbeLength));
            Retarget(body, probe, leader);
            for (int k = 0; k < ProbeLength; k++) il.RemoveAt(i);
            removed.UnionWith(probe);
            count++;
        }
        if (count == 0) return 0;
        foreach (Instruction ins in il)
        {
            if (ins.Operand is Instruction t && removed.Contains(t) || ins.Operand is Instruction[] ts && ts.Any(removed.Contains))
                throw new ProbeStripException($"PS2: {method.FullName}: {ins} still targets a removed probe");
            if (TouchesTrace(ins))
                throw new ProbeStripException($"PS3: {method.FullName}: {ins} still touches {TraceType} after stripping");
        }
        foreach (ExceptionHandler h in body.ExceptionHandlers)
            if (new[] { h.TryStart, h.TryEnd, h.HandlerStart, h.HandlerEnd, h.FilterStart }.Any(x => x is not null && removed.Contains(x)))
                throw new ProbeStripException($"PS2: {method.FullName}: an exception handler still starts or ends in a removed probe");
        return count;
    }

    /// <summary>PS1: the thirteen instructions at <paramref name="i"/> are SharpFuzz's probe (the ids may be anything).</summary>
    public static bool IsProbeAt(IList<Instruction> il, int i)
    {
        if (i + ProbeLength > il.Count) return false;
        return IsTraceField(il[i], Code.Ldsfld, "SharedMem")
            && il[i + 1].OpCode.Code == Code.Ldc_I4
            && IsTraceField(il[i + 2], Code.Ldsfld, "PrevLocation")
            && il[i + 3].OpCode.Code == Code.Xor
            && il[i + 4].OpCode.Code == Code.Add
            && il[i + 5].OpCode.Code == Code.Dup
            && il[i + 6].OpCode.Code == Code.Ldind_U1
            && il[i + 7].OpCode.Code == Code.Ldc_I4_1
            && il[i + 8].OpCode.Code == Code.Add
            && il[i + 9].OpCode.Code == Code.Conv_U1
            && il[i + 10].OpCode.Code == Code.Stind_I1
            && il[i + 11].OpCode.Code == Code.Ldc_I4
            && IsTraceField(il[i + 12], Code.Stsfld, "PrevLocation");
    }

    private static bool IsTraceField(Instruction ins, Code code, string field) =>
        ins.OpCode.Code == code && ins.Operand is FieldReference f && f.Name == field && f.DeclaringType.FullName == TraceType;

    private static bool TouchesTrace(Instruction ins) =>
        ins.Operand is FieldReference f && f.DeclaringType.FullName == TraceType;

    /// <summary>Moves every reference to an instruction of <paramref name="probe"/> to <paramref name="leader"/>.</summary>
    private static void Retarget(MethodBody body, HashSet<Instruction> probe, Instruction leader)
    {
        foreach (Instruction ins in body.Instructions)
        {
            if (ins.Operand is Instruction t && probe.Contains(t)) ins.Operand = leader;
            else if (ins.Operand is Instruction[] targets)
                for (int k = 0; k < targets.Length; k++)
                    if (probe.Contains(targets[k])) targets[k] = leader;
        }
        foreach (ExceptionHandler h in body.ExceptionHandlers)
        {
            if (probe.Contains(h.TryStart)) h.TryStart = leader;
            if (probe.Contains(h.TryEnd)) h.TryEnd = leader;
            if (probe.Contains(h.HandlerStart)) h.HandlerStart = leader;
            if (h.HandlerEnd is not null && probe.Contains(h.HandlerEnd)) h.HandlerEnd = leader;
            if (h.FilterStart is not null && probe.Contains(h.FilterStart)) h.FilterStart = leader;
        }
    }

    /// <summary>Probes in the whole module.</summary>
    public static int CountProbes(ModuleDefinition module)
    {
        int n = 0;
        foreach (TypeDefinition type in module.GetTypes())
            foreach (MethodDefinition method in type.Methods)
                if (method.HasBody)
                {
                    var il = method.Body.Instructions;
                    for (int i = 0; i < il.Count; i++)
                        if (IsProbeAt(il, i)) n++;
                }
        return n;
    }
}
