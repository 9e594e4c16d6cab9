using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query;

namespace CommerceManager.Data;

/// <summary>EP's job lifecycle, for every queued job (exports, imports): waiting, running, finished, or failed with a reason.</summary>
public enum JobStatus { Pending, Started, Success, Failed }

/// <summary>What <see cref="QueueRunner{TJob}"/> needs of a job row to claim it, keep it and take it over.</summary>
public interface IQueuedJob
{
    Guid Id { get; }
    JobStatus Status { get; set; }
    /// <summary>The runner working on it, as it marked the job when it claimed it.</summary>
    string? RunnerId { get; set; }
    /// <summary>When its runner last reported; a running job silent for <see cref="QueueRunner{TJob}.Orphaned"/> is taken over.</summary>
    DateTime? HeartbeatAt { get; set; }
    DateTime CreatedAt { get; }
    DateTime UpdatedAt { get; set; }
}

/// <summary>
/// The loop every job queue runs on each instance (exports, imports): claim the oldest waiting (or orphaned) job, run
/// it, look again; sleep until a job is queued in this process or two seconds pass (jobs queued on another instance);
/// housekeeping once an hour. A failure to read the queue is logged and tried again; stopping the app ends the loop.
/// </summary>
public abstract class QueueRunner<TJob>(TimeProvider clock, Common.AppMetrics metrics, ILogger logger) : BackgroundService where TJob : class, IQueuedJob
{
    /// <summary>A running job that has not reported for this long is taken to be orphaned (its instance died) and claimed again.</summary>
    public static readonly TimeSpan Orphaned = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim wake = new(0);

    protected TimeProvider Clock { get; } = clock;

    /// <summary>This runner, as it marks the jobs it claims.</summary>
    protected string RunnerId { get; } = $"{Environment.ProcessId}-{Guid.NewGuid():N}";

    /// <summary>What the queue holds, for the log ("export", "import").</summary>
    protected abstract string Kind { get; }

    public abstract Task<TJob?> ClaimAsync(CancellationToken ct);

    /// <summary>
    /// Claims the oldest waiting job, or a running one whose runner went silent (its instance died), for this runner:
    /// one conditional update, so of several instances asking at once exactly one gets it. <paramref name="alsoSet"/>
    /// adds the kind's own columns to the claiming update (an export starts its count again; an import resumes).
    /// </summary>
    protected async Task<TJob?> ClaimNextAsync(AppDbContext db, Action<UpdateSettersBuilder<TJob>, DateTime> alsoSet, CancellationToken ct)
    {
        var jobs = db.Set<TJob>();
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var now = Clock.GetUtcNow().UtcDateTime;
            var orphanedBefore = now - Orphaned;
            var candidate = await jobs.AsNoTracking()
                .Where(j => j.Status == JobStatus.Pending || (j.Status == JobStatus.Started && j.HeartbeatAt < orphanedBefore))
                .OrderBy(j => j.CreatedAt).Select(j => j.Id).FirstOrDefaultAsync(ct);
            if (candidate == Guid.Empty)
            {
                return null;
            }
            var claimed = await jobs
                .Where(j => j.Id == candidate && (j.Status == JobStatus.Pending || (j.Status == JobStatus.Started && j.HeartbeatAt < orphanedBefore)))
                .ExecuteUpdateAsync(s =>
                {
                    s.SetProperty(j => j.Status, JobStatus.Started).SetProperty(j => j.RunnerId, RunnerId)
                        .SetProperty(j => j.HeartbeatAt, now).SetProperty(j => j.UpdatedAt, now);
                    alsoSet(s, now);
                }, ct);
            if (claimed == 1)
            {
                return await jobs.AsNoTracking().FirstAsync(j => j.Id == candidate, ct);
            }
            // Another instance took it first: look again.
        }
        return null;
    }

    public abstract Task RunAsync(TJob job, CancellationToken stopping);

    /// <summary>Deletes a job's file, logging (not throwing) when the file system refuses.</summary>
    protected void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException ex)
        {
            logger.LogWarning(ex, "Could not remove the {Kind} file {Path}", Kind, path);
        }
    }

    /// <summary>Hourly: removes what has expired.</summary>
    protected virtual Task HousekeepAsync(CancellationToken ct) => Task.CompletedTask;

    /// <summary>Hooks <paramref name="wakeUp"/> to the service's "queued" event (and unhooks it with <paramref name="subscribe"/> false).</summary>
    protected abstract void Listen(Action wakeUp, bool subscribe);

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        Action wakeUp = () => wake.Release();
        Listen(wakeUp, subscribe: true);
        try
        {
            var nextHousekeeping = DateTime.MinValue;
            while (!stopping.IsCancellationRequested)
            {
                try
                {
                    if (Clock.GetUtcNow().UtcDateTime >= nextHousekeeping)
                    {
                        await HousekeepAsync(stopping);
                        nextHousekeeping = Clock.GetUtcNow().UtcDateTime.AddHours(1);
                    }
                    while (!stopping.IsCancellationRequested && await ClaimAsync(stopping) is { } job)
                    {
                        var started = Clock.GetTimestamp();
                        await RunAsync(job, stopping);
                        // The job's own row says how it ended; here: whether it ran to an end or the app stopped it (it resumes).
                        metrics.JobFinished(Kind, stopping.IsCancellationRequested ? "interrupted" : "ran", Clock.GetElapsedTime(started));
                    }
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception ex)
                {
                    logger.LogError(ex, "The {Kind} queue could not be read; trying again shortly", Kind);
                }
                try
                {
                    await wake.WaitAsync(TimeSpan.FromSeconds(2), stopping);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
        finally
        {
            Listen(wakeUp, subscribe: false);
        }
    }
}
