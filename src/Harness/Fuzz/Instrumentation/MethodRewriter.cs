// MethodRewriter: inserts coverage probes into one method body (Mono.Cecil).
//
// Algorithm (fuzzing.md section 3, with its recommended fixes):
//  1. SimplifyMacros: every short branch becomes long, so the bytes the probes add can never push
//     a br.s/leave.s target out of its -128..127 range (Cecil would write such IL without complaint
//     and the JIT would reject it with InvalidProgramException).
//  2. Leaders, computed on the original instructions: the entry; every branch, leave and switch
//     target; the instruction after a conditional branch or switch (the fall-through block); every
//     try start, handler start and filter start; and the first instruction after a protected region
//     or handler (a block that starts where a region ends).
//  3. Before each leader L a probe (ProbeEmitter: CoverageMap.Hit's body inline) is inserted. It
//     is stack neutral, so it is valid at join points with values on the stack and at handler
//     entries where the exception object is on the stack.
//  4. Every branch operand, switch table entry and exception-clause boundary that pointed at L now
//     points at the probe. Cecil's InsertBefore does not do this; without it jumps would silently
//     skip the probes (coverage wrong, program still right) and clause boundaries would leave the
//     probe outside its handler (InvalidProgramException).
//  5. OptimizeMacros re-shortens branches that still fit.
// Per-thread probes also need a two-instruction prologue (ProbeEmitter.BeginMethod) before the entry
// probe; nothing targets it (branches to the first instruction go to the entry probe), so it runs
// once per call, outside any protected region that starts at the first instruction.
// Never split a prefix (volatile., constrained., unaligned., readonly., tail.) from its instruction,
// and never put anything between `tail. call` and its `ret`: such leaders get no probe.
using Mono.Cecil.Cil;
using Mono.Cecil.Rocks;
using Mono.Cecil;

namespace Harness.Fuzz.Instrumentation;

internal static class MethodRewriter
{
    /// <summary>Instruments one body; returns the probes inserted (in IL order).</summary>
    public static List<ProbeSite> Rewrite(MethodDefinition method, ProbeEmitter probes, ProbeIds ids, bool retarget = true)
    {
        MethodBody body = method.Body;
        body.SimplifyMacros();

        IList<Instruction> code = body.Instructions;
        var leaders = new Dictionary<Instruction, string>();
        void Lead(Instruction? i, string kind)
        {
            if (i is not null && !leaders.ContainsKey(i)) leaders.Add(i, kind);
        }

        // Kinds are labels for the manifest; the first label wins, so the most specific come first
        // (a handler start is often also the end of the previous handler).
        Lead(code[0], "entry");
        foreach (ExceptionHandler eh in body.ExceptionHandlers)
        {
            Lead(eh.HandlerStart, eh.HandlerType switch
            {
                ExceptionHandlerType.Catch => "catch",
                ExceptionHandlerType.Filter => "filter-handler",
                ExceptionHandlerType.Finally => "finally",
                _ => "fault",
            });
            Lead(eh.FilterStart, "filter");
            Lead(eh.TryStart, "try-start");
        }
        for (int k = 0; k < code.Count; k++)
        {
            Instruction ins = code[k];
            switch (ins.Operand)
            {
                case Instruction target:
                    Lead(target, ins.OpCode.Code is Code.Leave ? "leave-target" : "branch-target");
                    break;
                case Instruction[] targets:
                    foreach (Instruction t in targets) Lead(t, "switch-target");
                    break;
            }
            if (ins.OpCode.FlowControl == FlowControl.Cond_Branch && k + 1 < code.Count)
                Lead(code[k + 1], "fall-through");
        }
        foreach (ExceptionHandler eh in body.ExceptionHandlers)
        {
            Lead(eh.TryEnd, "after-try");
            Lead(eh.HandlerEnd, "after-handler");
        }

        // Walk the original list once, building the new one; remember each leader's probe.
        Instruction[] original = code.ToArray();
        var probeOf = new Dictionary<Instruction, Instruction>();
        var sites = new List<ProbeSite>();
        SequencePointIndex lines = new(method);
        var rebuilt = new List<Instruction>(original.Length + 2 * leaders.Count);
        probes.BeginMethod(body, rebuilt);
        for (int k = 0; k < original.Length; k++)
        {
            Instruction ins = original[k];
            if (leaders.TryGetValue(ins, out string? kind) && CanProbeBefore(original, k))
            {
                int id = ids.Next(method.FullName, ins.Offset);
                probeOf.Add(ins, probes.Emit(id, rebuilt));
                sites.Add(new ProbeSite(id, method.FullName, ins.Offset, kind, lines.SourceAt(ins.Offset)));
            }
            rebuilt.Add(ins);
        }

        Replace(body, original, rebuilt);

        Instruction Retarget(Instruction i) => probeOf.TryGetValue(i, out Instruction? p) ? p : i;
        foreach (Instruction ins in body.Instructions)
        {
            if (!retarget) break;
            if (ins.Operand is Instruction t) ins.Operand = Retarget(t);
            else if (ins.Operand is Instruction[] ts) ins.Operand = ts.Select(Retarget).ToArray();
        }
        foreach (ExceptionHandler eh in body.ExceptionHandlers)
        {
            eh.TryStart = Retarget(eh.TryStart);
            eh.HandlerStart = Retarget(eh.HandlerStart);
            if (eh.FilterStart is not null) eh.FilterStart = Retarget(eh.FilterStart);
            if (eh.TryEnd is not null) eh.TryEnd = Retarget(eh.TryEnd);
            if (eh.HandlerEnd is not null) eh.HandlerEnd = Retarget(eh.HandlerEnd);
        }

        body.OptimizeMacros();
        return sites;
    }

    /// <summary>False when a probe before original[k] would split a prefix or a tail call from its ret.</summary>
    private static bool CanProbeBefore(Instruction[] original, int k)
    {
        if (k == 0) return true;
        Instruction prev = original[k - 1];
        if (prev.OpCode.OpCodeType == OpCodeType.Prefix) return false;
        if (k >= 2 && original[k - 2].OpCode.Code == Code.Tail) return false;   // tail. call <here> ret
        return true;
    }

    /// <summary>
    /// Inserts the probes into the body's instruction collection without removing any original
    /// instruction (removal would drop its sequence point and break the PDB's line mapping).
    /// </summary>
    private static void Replace(MethodBody body, Instruction[] original, List<Instruction> rebuilt)
    {
        Mono.Collections.Generic.Collection<Instruction> code = body.Instructions;
        int orig = 0;
        for (int k = 0; k < rebuilt.Count; k++)
        {
            if (orig < original.Length && ReferenceEquals(rebuilt[k], original[orig]))
            {
                orig++;
                continue;
            }
            code.Insert(k, rebuilt[k]);
        }
        if (code.Count != rebuilt.Count) throw new InvalidOperationException($"rewrite of {body.Method.FullName} lost instructions");
    }
}
