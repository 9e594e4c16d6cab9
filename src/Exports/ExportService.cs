using System.Security.Claims;
using CommerceManager.Data;
using CommerceManager.Querying;
using CommerceManager.Security;
using FluentValidation;
using FluentValidation.Results;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CommerceManager.Exports;

/// <summary>What to export: orders or customers, as CSV or JSON Lines, by filter (and for customers the list's sort, search box and password choice) or by ticked ids.</summary>
public sealed record ExportRequest(
    ExportKind Kind,
    ExportFormat Format = ExportFormat.Csv,
    string? Filter = null,
    string? Sort = null,
    string? Search = null,
    bool? HasPassword = null,
    IReadOnlyList<Guid>? Ids = null,
    string? Label = null);

/// <summary>
/// Export jobs (EP's exporter): queued here, run by <see cref="ExportRunner"/> on whichever instance claims them,
/// read back by whoever may see them. API clients see every job (they act for the store, as in EP); staff see their
/// own, Admins everyone's.
/// </summary>
public sealed class ExportService(
    IDbContextFactory<AppDbContext> dbFactory,
    IEnumerable<IExportSource> sources,
    IOptions<ExportSettings> settings,
    IDataProtectionProvider protection,
    TimeProvider clock)
{
    /// <summary>Raised in this process when a job is queued, so the runner starts at once instead of at its next look.</summary>
    public event Action? Queued;

    private ITimeLimitedDataProtector Links => protection.CreateProtector("CommerceManager.Exports.FileLink").ToTimeLimitedDataProtector();

    public static string OwnerOf(ClaimsPrincipal user) =>
        user.IsInRole(Roles.ApiClient) ? "api:" + user.FindFirstValue("client_id")
        : user.FindFirstValue(ClaimTypes.NameIdentifier) ?? user.Identity?.Name ?? "system";

    /// <summary>Checks the request (a filter the list would refuse is refused here, before anything is queued) and queues it.</summary>
    public async Task<ExportJob> CreateAsync(ClaimsPrincipal user, ExportRequest request, CancellationToken ct = default)
    {
        Access.Require(user, Permission.ReadCustomers);
        var filter = string.IsNullOrWhiteSpace(request.Filter) ? null : request.Filter.Trim();
        if (filter?.Length > 8192)
        {
            throw new FilterException("The filter is longer than 8 KB.");
        }
        // A filter the list would refuse is refused here (FilterException, the list's own message), before anything is queued.
        var source = sources.FirstOrDefault(s => s.Kind == request.Kind) ?? throw new InvalidOperationException($"Nothing exports {request.Kind}.");
        await source.ValidateAsync(request with { Filter = filter }, ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var job = new ExportJob
        {
            Id = Guid.NewGuid(),
            Kind = request.Kind,
            Format = request.Format,
            Status = JobStatus.Pending,
            Filter = request.Ids is null ? filter : null,
            Sort = request.Kind == ExportKind.Customers && request.Ids is null ? request.Sort : null,
            Search = request.Kind == ExportKind.Customers && request.Ids is null ? request.Search : null,
            HasPassword = request.Kind == ExportKind.Customers && request.Ids is null ? request.HasPassword : null,
            Ids = request.Ids is { } ids ? string.Join(',', ids.Distinct()) : null,
            Label = LabelOf(request with { Filter = filter }),
            OwnerId = OwnerOf(user),
            OwnerName = user.Identity?.Name ?? "system",
            CreatedAt = now,
            UpdatedAt = now,
            ExpiresAt = now.AddDays(settings.Value.KeepDays),
        };
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            var max = Math.Max(1, settings.Value.MaxQueuedPerOwner);
            if (await db.ExportJobs.CountAsync(j => j.OwnerId == job.OwnerId && (j.Status == JobStatus.Pending || j.Status == JobStatus.Started), ct) >= max)
            {
                throw new ValidationException([new ValidationFailure("Export", ExportSettings.TooManyQueued("exports", max))]);
            }
            db.ExportJobs.Add(job);
            await db.SaveChangesAsync(ct);
        }
        Queued?.Invoke();
        return job;
    }

    /// <summary>Jobs the caller may see, newest first.</summary>
    public async Task<List<ExportJob>> ListAsync(ClaimsPrincipal user, int limit = 100, bool onlyOwn = false, CancellationToken ct = default)
    {
        Access.Require(user, Permission.ReadCustomers);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var jobs = Visible(db.ExportJobs.AsNoTracking(), user, onlyOwn);
        return await jobs.OrderByDescending(j => j.CreatedAt).Take(limit).ToListAsync(ct);
    }

    public async Task<ExportJob?> GetAsync(ClaimsPrincipal user, Guid id, CancellationToken ct = default)
    {
        Access.Require(user, Permission.ReadCustomers);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await Visible(db.ExportJobs.AsNoTracking(), user, onlyOwn: false).FirstOrDefaultAsync(j => j.Id == id, ct);
    }

    /// <summary>
    /// Stops a job: a waiting one fails at once, a running one when its runner next reports (within a second or so).
    /// What the file held so far is thrown away: an export is all or nothing.
    /// </summary>
    public async Task<bool> CancelAsync(ClaimsPrincipal user, Guid id, CancellationToken ct = default)
    {
        if (await GetAsync(user, id, ct) is not { IsRunning: true })
        {
            return false;
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var reason = $"Stopped by {user.Identity?.Name ?? "someone"}.";
        var waiting = await db.ExportJobs.Where(j => j.Id == id && j.Status == JobStatus.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.Status, JobStatus.Failed).SetProperty(j => j.Error, reason)
                .SetProperty(j => j.CancelRequested, true).SetProperty(j => j.FinishedAt, now).SetProperty(j => j.UpdatedAt, now), ct);
        if (waiting == 0)
        {
            await db.ExportJobs.Where(j => j.Id == id && j.Status == JobStatus.Started)
                .ExecuteUpdateAsync(s => s.SetProperty(j => j.CancelRequested, true).SetProperty(j => j.Error, reason), ct);
        }
        return true;
    }

    /// <summary>The finished file of a job, or null when it has none (yet).</summary>
    public string? FileOf(ExportJob job)
    {
        if (job.Status != JobStatus.Success)
        {
            return null;
        }
        var path = PathOf(job);
        return File.Exists(path) ? path : null;
    }

    public string PathOf(ExportJob job) => Path.Combine(settings.Value.Folder, $"{job.Id:N}.{job.FileExtension}");

    /// <summary>
    /// What an export holds, in words: the name the caller gives (a saved view's), else the ticked rows, the list's
    /// search, filter and password choice said in words, or everything.
    /// </summary>
    public static string LabelOf(ExportRequest request)
    {
        var noun = ExportWords.Noun(request.Kind);
        if (!string.IsNullOrWhiteSpace(request.Label))
        {
            return Clip(request.Label.Trim());
        }
        if (request.Ids is { } ids)
        {
            var n = ids.Distinct().Count();
            return $"{n:N0} ticked {(n == 1 ? noun[..^1] : noun)}";
        }
        var parts = new List<string>();
        if (!string.IsNullOrWhiteSpace(request.Search))
        {
            parts.Add($"Matching “{request.Search.Trim()}”");
        }
        if (FilterWords.Describe(request.Filter) is { Length: > 0 } words)
        {
            parts.Add(words);
        }
        if (request.HasPassword is { } hasPassword)
        {
            parts.Add(hasPassword ? "Password set" : "Password not set");
        }
        return parts.Count == 0 ? $"All {noun}" : Clip(string.Join("; ", parts));

        static string Clip(string text) => text.Length <= ExportJob.LabelMax ? text : text[..(ExportJob.LabelMax - 1)] + "…";
    }

    /// <summary>
    /// The name the download is saved under, saying what it holds: <c>customers-vip-london-2026-11-26-1405.csv</c>,
    /// <c>orders-status-is-complete-2026-11-26-1405.csv</c>, <c>customers-all-2026-11-26-1405.csv</c>.
    /// </summary>
    public static string DownloadName(ExportJob job)
    {
        var noun = ExportWords.Noun(job.Kind);
        var label = job.Label ?? "";
        if (label.Equals($"All {noun}", StringComparison.OrdinalIgnoreCase))
        {
            label = "all";
        }
        var slug = Slug(label);
        return $"{noun}{(slug.Length > 0 ? "-" + slug : "")}-{job.CreatedAt:yyyy-MM-dd-HHmm}.{job.FileExtension}";
    }

    /// <summary>Letters and digits (accents dropped), lower case, joined by single dashes, at most 60 characters.</summary>
    private static string Slug(string text)
    {
        var folded = text.Normalize(System.Text.NormalizationForm.FormD);
        var sb = new System.Text.StringBuilder();
        foreach (var c in folded)
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                sb.Append(char.ToLowerInvariant(c));
            }
            else if (System.Globalization.CharUnicodeInfo.GetUnicodeCategory(c) != System.Globalization.UnicodeCategory.NonSpacingMark
                     && sb.Length > 0 && sb[^1] != '-')
            {
                sb.Append('-');
            }
        }
        var slug = sb.ToString().Trim('-');
        return slug.Length <= 60 ? slug : slug[..60].TrimEnd('-');
    }

    /// <summary>
    /// A link that fetches the file without signing in (EP's "publicly available URL"), good for
    /// <c>Exports__LinkMinutes</c> (15) or until the job expires: a bearer URL, so short-lived; a client asks
    /// <c>GET /v2/jobs/:id/file</c> again for a fresh one.
    /// </summary>
    public string FileToken(ExportJob job)
    {
        var now = clock.GetUtcNow();
        var until = Math.Min(now.AddMinutes(Math.Max(0, settings.Value.LinkMinutes)).UtcTicks, new DateTimeOffset(job.ExpiresAt, TimeSpan.Zero).UtcTicks);
        return Links.Protect(job.Id.ToString("N"), new DateTimeOffset(until, TimeSpan.Zero));
    }

    /// <summary>The job a file link was made for, or null when the link is forged or out of date.</summary>
    public Guid? JobOfToken(string token)
    {
        try
        {
            return Guid.TryParseExact(Links.Unprotect(token), "N", out var id) ? id : null;
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
    }

    /// <summary>A job by id, for a holder of its file link (no caller to check).</summary>
    public async Task<ExportJob?> FindAsync(Guid id, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.ExportJobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == id, ct);
    }

    private static IQueryable<ExportJob> Visible(IQueryable<ExportJob> jobs, ClaimsPrincipal user, bool onlyOwn)
    {
        if (!onlyOwn && (user.IsInRole(Roles.ApiClient) || user.IsInRole(Roles.Admin)))
        {
            return jobs;
        }
        var owner = OwnerOf(user);
        return jobs.Where(j => j.OwnerId == owner);
    }
}
