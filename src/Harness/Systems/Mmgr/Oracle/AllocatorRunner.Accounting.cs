// AllocatorRunner.Accounting: the accounting oracle (RunnerOptions.PredictAccounting). Beside the
// contents model the runner keeps Models.Mmgr.AccountingModel, which places every chunk the way
// PostgreSQL does (block, offset, free-list reuse, dedicated blocks, the block-size sequence) and
// predicts each context's MemoryContextStats figures and mem_allocated:
//   after every op      the pointer an allocation or repalloc returned must be the predicted one
//                       (site "<Type>/placement"), once the model knows the block's address;
//   at verify points    nblocks, totalspace, freespace, freechunks and mem_allocated of every
//                       live context must be the predicted ones (site "<Type>/accounting-<figure>");
//   at a Stats op       MemoryContextStats' grand total must be the sum of the subtree's
//                       predicted figures (site "stats/accounting-<figure>").
// A context the model gave up on (an AllocSet block malloc retried at half size after a failure:
// the size the heap then granted is not the model's to know) is skipped, and the skip counted.
using Allocator.Mmgr;
using Harness.Core;
using Models.Mmgr;

namespace Harness.Systems.Mmgr.Oracle;

public sealed partial class AllocatorRunner
{
    private AccountingModel? _acct;

    /// <summary>Context figures compared with the accounting model in the last run, and the
    /// comparisons skipped because the model had given up on the context.</summary>
    public int AccountingChecks { get; private set; }
    public int AccountingSkips { get; private set; }

    /// <summary>Pointers of the last run checked against the model's placement.</summary>
    public int PlacementsChecked => _acct?.PointersPredicted ?? 0;

    private void SetupAccounting()
    {
        AccountingChecks = 0;
        AccountingSkips = 0;
        _acct = null;
        if (!_options.PredictAccounting) return;
        _acct = new AccountingModel(Checking);
        _acct.AttachRoots(_model);
    }

    /// <summary>A complaint of the accounting model about a placement or a failed malloc becomes the op's failure.</summary>
    private void Placed(string? complaint, ModelContext c)
    {
        if (complaint is not null)
            throw Fail(OutcomeKind.ModelMismatch, $"{KindOf(c)}/placement", complaint);
    }

    /// <summary>After a successful allocation or repalloc: if a malloc failed during it, AllocSet
    /// retried at half the size, which the model cannot size.</summary>
    private void NoteRetriedMalloc(FailMark before, ModelContext c)
    {
        if (_acct is null || c.Kind != ModelContextKind.AllocSet) return;
        if (_heap.FailedCalls > before.Scripted || _heap.CapacityFailedCalls > before.Capacity)
            c.Accounting?.GiveUp("a block malloc failed and AllocSet retried it at a smaller size");
    }

    /// <summary>The port's counters of one context against the model's prediction.</summary>
    private void CheckPredictedFigures(ModelContext c, in MemoryContextCounters k, ulong mem)
    {
        if (_acct is null || c.Accounting is not AccountingContext a) return;
        if (a.Unpredictable is not null)
        {
            AccountingSkips++;
            return;
        }
        AccountingChecks++;
        ContextFigures predicted = a.Figures();
        var actual = new ContextFigures(k.nblocks, k.totalspace, k.freespace, k.freechunks, mem);
        int i = predicted.FirstDifference(actual);
        if (i < 0) return;
        string figure = ContextFigures.Names[i];
        throw Fail(OutcomeKind.ModelMismatch, $"{KindOf(c)}/accounting-{figure}",
            $"{c.Name}: {figure} is {actual[i]}; the accounting model predicts {predicted[i]} (port {actual}, model {predicted} as nblocks/totalspace/freespace/freechunks/mem_allocated)");
    }

    /// <summary>MemoryContextStats' grand total (MemoryContextMemConsumed) of a subtree against the
    /// sum of the model's figures over it (skipped, and counted, if the model gave up on any).</summary>
    private void CheckPredictedGrandTotal(ModelContext root, List<ModelContext> subtree, in MemoryContextCounters consumed)
    {
        if (_acct is null) return;
        ulong nblocks = 0, total = 0, free = 0, chunks = 0;
        foreach (ModelContext x in subtree)
        {
            if (x.Accounting is not AccountingContext a || a.Unpredictable is not null)
            {
                AccountingSkips++;
                return;
            }
            ContextFigures f = a.Figures();
            nblocks += f.NBlocks;
            total += f.TotalSpace;
            free += f.FreeSpace;
            chunks += f.FreeChunks;
        }
        AccountingChecks++;
        var predicted = new ContextFigures(nblocks, total, free, chunks, 0);
        var actual = new ContextFigures(consumed.nblocks, consumed.totalspace, consumed.freespace, consumed.freechunks, 0);
        int i = predicted.FirstDifference(actual);
        if (i < 0) return;
        string figure = ContextFigures.Names[i];
        throw Fail(OutcomeKind.ModelMismatch, $"stats/accounting-{figure}",
            $"MemoryContextStats({root.Name}) grand total: {figure} is {actual[i]}; the accounting model predicts {predicted[i]} over the {subtree.Count} contexts of the subtree");
    }
}
