using System.Collections.Concurrent;

namespace CommerceManager.Common;

/// <summary>How far a long operation has come: <see cref="Done"/> of <see cref="Total"/> items.</summary>
public readonly record struct WorkProgress(int Done, int Total);

public enum WorkState { Running, Succeeded, Failed, Cancelled }

/// <summary>What came of a long operation, in words, and a page to go on from ("Undo", on its Activity line).</summary>
public sealed record WorkOutcome(string Text, string? Href = null, string? LinkText = null)
{
    public static implicit operator WorkOutcome(string text) => new(text);
}

/// <summary>
/// One long operation a staff member started (a bulk delete, a bulk field change): its progress, its outcome, and
/// a way to cancel it. It belongs to the app, not to the page that started it, so it goes on when the person
/// navigates away, and any page of theirs can show it.
/// </summary>
public sealed class WorkItem : IProgress<WorkProgress>
{
    private readonly CancellationTokenSource cancel;
    private long lastNotice;

    internal WorkItem(string owner, string title, CancellationToken stopping)
    {
        Owner = owner;
        Title = title;
        cancel = CancellationTokenSource.CreateLinkedTokenSource(stopping);
    }

    public Guid Id { get; } = Guid.NewGuid();
    public string Owner { get; }
    public string Title { get; }
    public WorkState State { get; private set; } = WorkState.Running;
    public WorkProgress Progress { get; private set; }
    /// <summary>What came of it, in words: "Deleted 1,204 customers.", or the reason it failed.</summary>
    public string? Outcome { get; private set; }
    /// <summary>Where to go on from the outcome, and the link's words (null: nowhere).</summary>
    public string? OutcomeHref { get; private set; }
    public string? OutcomeLinkText { get; private set; }
    public DateTime? FinishedAt { get; private set; }
    internal CancellationToken Token => cancel.Token;
    private readonly TaskCompletionSource finished = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the work has ended, however it ended.</summary>
    public Task Completion => finished.Task;

    /// <summary>Raised (on a worker thread) when progress moves on, at most ten times a second, and when the work ends.</summary>
    public event Action<WorkItem>? Changed;

    public void Cancel() => cancel.Cancel();

    public void Report(WorkProgress value)
    {
        Progress = value;
        var now = Environment.TickCount64;
        if (now - Interlocked.Read(ref lastNotice) >= 100 || value.Done == value.Total)
        {
            Interlocked.Exchange(ref lastNotice, now);
            Changed?.Invoke(this);
        }
    }

    internal void Finish(WorkState state, WorkOutcome outcome, DateTime at)
    {
        (State, Outcome, OutcomeHref, OutcomeLinkText, FinishedAt) = (state, outcome.Text, outcome.Href, outcome.LinkText, at);
        cancel.Dispose();
        Changed?.Invoke(this);
        finished.TrySetResult();
    }
}

/// <summary>
/// Runs staff members' long operations in the background and keeps them (and, for a while, their outcome) where
/// the console can find them again. Per app instance: an operation runs on the instance that started it.
/// </summary>
public sealed class BackgroundWork(IServiceProvider services, TimeProvider clock, ILogger<BackgroundWork> logger)
{
    // Work stops with the app (in a host; the command-line tools and tests have none).
    private readonly CancellationToken stopping = services.GetService<IHostApplicationLifetime>()?.ApplicationStopping ?? CancellationToken.None;

    /// <summary>How long a finished operation stays listed for the person who started it.</summary>
    public static readonly TimeSpan KeepFinishedFor = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<Guid, WorkItem> items = new();

    /// <summary>Raised when someone's work starts, so their open pages can show it.</summary>
    public event Action<WorkItem>? Started;

    /// <summary>
    /// Starts <paramref name="work"/>, which reports progress to the item it is given, honours its token, and
    /// returns the outcome in words. Cancelling stops it between steps; what was done before stays done.
    /// </summary>
    public WorkItem Start(string owner, string title, Func<IProgress<WorkProgress>, CancellationToken, Task<WorkOutcome>> work)
    {
        Prune();
        // A new operation replaces the outcomes of the person's earlier ones (they have seen them); running ones stay.
        foreach (var done in items.Values.Where(i => i.Owner == owner && i.State != WorkState.Running))
        {
            items.TryRemove(done.Id, out _);
        }
        var item = new WorkItem(owner, title, stopping);
        items[item.Id] = item;
        var token = item.Token;
        _ = Task.Run(async () =>
        {
            try
            {
                var outcome = await work(item, token);
                item.Finish(WorkState.Succeeded, outcome, clock.GetUtcNow().UtcDateTime);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                item.Finish(WorkState.Cancelled, $"Stopped after {item.Progress.Done:N0} of {item.Progress.Total:N0}; what was done before stays done.",
                    clock.GetUtcNow().UtcDateTime);
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "{Title} failed after {Done} of {Total}", title, item.Progress.Done, item.Progress.Total);
                item.Finish(WorkState.Failed, FailureText(ex, item.Progress), clock.GetUtcNow().UtcDateTime);
            }
        });
        Started?.Invoke(item);
        return item;
    }

    /// <summary>The person's operations: running ones, and finished ones for <see cref="KeepFinishedFor"/>; newest first.</summary>
    public IReadOnlyList<WorkItem> Of(string owner)
    {
        Prune();
        return items.Values.Where(i => i.Owner == owner).OrderByDescending(i => i.FinishedAt ?? DateTime.MaxValue).ToList();
    }

    /// <summary>Takes a finished operation off the person's list (they have read the outcome).</summary>
    public void Dismiss(Guid id)
    {
        if (items.TryGetValue(id, out var item) && item.State != WorkState.Running)
        {
            items.TryRemove(id, out _);
        }
    }

    private void Prune()
    {
        var before = clock.GetUtcNow().UtcDateTime - KeepFinishedFor;
        foreach (var old in items.Values.Where(i => i.FinishedAt < before))
        {
            items.TryRemove(old.Id, out _);
        }
    }

    private static string FailureText(Exception ex, WorkProgress progress) =>
        (ex is FluentValidation.ValidationException v ? string.Join(" ", v.Errors.Select(e => e.ErrorMessage)) : "An unexpected error stopped it; it is in the server log.")
        + $" {progress.Done:N0} of {progress.Total:N0} were done before that.";
}
