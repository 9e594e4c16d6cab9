using System.Security.Claims;
using CommerceManager.Common;
using CommerceManager.Data;
using CommerceManager.Querying;
using CommerceManager.Security;
using FluentValidation;
using Microsoft.EntityFrameworkCore;

namespace CommerceManager.Webhooks;

/// <summary>The events this store posts to webhooks, by EP's names.</summary>
public static class WebhookEvents
{
    /// <summary>A shopper asked for a one-time password (to reset a password or sign in without one): the code goes to the webhook, which sends it to them.</summary>
    public const string OneTimePasswordRequested = "one-time-password-token-request.created";

    public static readonly IReadOnlyList<string> Known = [OneTimePasswordRequested];

    public static string Describe(string eventName) => eventName switch
    {
        OneTimePasswordRequested => "A shopper asked for a one-time password (password reset or sign-in without a password)",
        _ => eventName,
    };
}

public sealed record IntegrationDto(Guid Id, string Name, string? Description, bool Enabled, IReadOnlyList<string> Observes, string Url, string? SecretKey,
    DateTime CreatedAt, DateTime UpdatedAt);

public sealed record IntegrationLogDto(Guid Id, Guid IntegrationId, Guid JobId, string TriggeredBy, int Attempt, bool Succeeded, int? StatusCode,
    string? ErrorDetail, string? ResponseBody, DateTime CreatedAt);

/// <summary>A webhook as staff or an API client send it.</summary>
public sealed class IntegrationInput
{
    public string Name { get; set; } = "";
    public string? Description { get; set; }
    public bool Enabled { get; set; } = true;
    public List<string> Observes { get; set; } = [];
    public string Url { get; set; } = "";
    public string? SecretKey { get; set; }
}

public sealed class IntegrationInputValidator : AbstractValidator<IntegrationInput>
{
    public IntegrationInputValidator()
    {
        RuleFor(x => x.Name).Must(n => !string.IsNullOrWhiteSpace(n)).WithMessage("Name is required.")
            .MaximumLength(IntegrationLimits.Name).WithMessage($"Name must be at most {IntegrationLimits.Name} characters.");
        RuleFor(x => x.Description).MaximumLength(IntegrationLimits.Description)
            .WithMessage($"Description must be at most {IntegrationLimits.Description} characters.");
        RuleFor(x => x.Url).Must(IsWebAddress)
            .WithMessage("The URL must be a full http:// or https:// address, such as https://shop.example/api/webhooks.")
            .MaximumLength(IntegrationLimits.Url).WithMessage($"The URL must be at most {IntegrationLimits.Url} characters.");
        RuleFor(x => x.SecretKey).MaximumLength(IntegrationLimits.SecretKey).WithMessage($"The secret key must be at most {IntegrationLimits.SecretKey} characters.");
        RuleFor(x => x.Observes).Must(o => o.Count > 0).WithMessage("Choose at least one event to observe.");
        RuleForEach(x => x.Observes).Must(e => WebhookEvents.Known.Contains(e))
            .WithMessage((_, e) => $"This store does not send '{e}'. It sends: {string.Join(", ", WebhookEvents.Known)}.");
    }

    public static bool IsWebAddress(string? url) =>
        Uri.TryCreate(url?.Trim(), UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && !string.IsNullOrEmpty(uri.Host) && uri.UserInfo.Length == 0;
}

/// <summary>
/// The store's webhooks (EP's integrations of type webhook) and their delivery logs: Admins in the console, API clients
/// with the store's secret. Storefronts never see them (their secret keys stay the store's).
/// </summary>
public sealed class IntegrationService(IDbContextFactory<AppDbContext> dbFactory, IValidator<IntegrationInput> validator, TimeProvider clock)
{
    /// <summary>Delivery logs kept this long.</summary>
    public static readonly TimeSpan LogsKeptFor = TimeSpan.FromDays(30);

    public async Task<IReadOnlyList<IntegrationDto>> ListAsync(ClaimsPrincipal user, CancellationToken ct = default)
    {
        Access.Require(user, Permission.ManageIntegrations);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return (await db.Integrations.AsNoTracking().OrderBy(i => i.CreatedAt).ToListAsync(ct)).Select(ToDto).ToList();
    }

    public async Task<IntegrationDto?> GetAsync(ClaimsPrincipal user, Guid id, CancellationToken ct = default)
    {
        Access.Require(user, Permission.ManageIntegrations);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Integrations.AsNoTracking().FirstOrDefaultAsync(i => i.Id == id, ct) is { } found ? ToDto(found) : null;
    }

    public async Task<Outcome<IntegrationDto>> CreateAsync(ClaimsPrincipal user, IntegrationInput input, CancellationToken ct = default)
    {
        Access.Require(user, Permission.ManageIntegrations);
        await validator.ValidateAndThrowAsync(input, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (await db.Integrations.CountAsync(ct) >= IntegrationLimits.MaxIntegrations)
        {
            return Outcome.Refused<IntegrationDto>($"A store has at most {IntegrationLimits.MaxIntegrations} webhooks: delete one first.");
        }
        var now = clock.UtcNow();
        var integration = new Integration { Id = Guid.CreateVersion7(), CreatedAt = now };
        Apply(integration, input, now);
        db.Integrations.Add(integration);
        await db.SaveChangesAsync(ct);
        return ToDto(integration);
    }

    public async Task<Outcome<IntegrationDto>> UpdateAsync(ClaimsPrincipal user, Guid id, IntegrationInput input, CancellationToken ct = default)
    {
        Access.Require(user, Permission.ManageIntegrations);
        await validator.ValidateAndThrowAsync(input, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var integration = await db.Integrations.FirstOrDefaultAsync(i => i.Id == id, ct);
        if (integration is null)
        {
            return Outcome.NotFound<IntegrationDto>();
        }
        Apply(integration, input, clock.UtcNow());
        await db.SaveChangesAsync(ct);
        return ToDto(integration);
    }

    public async Task<bool> DeleteAsync(ClaimsPrincipal user, Guid id, CancellationToken ct = default)
    {
        Access.Require(user, Permission.ManageIntegrations);
        return await Saving.RemoveAsync(dbFactory, db => db.Integrations.FirstOrDefaultAsync(i => i.Id == id, ct), ct);
    }

    /// <summary>Delivery attempts, newest first: of one integration, or of all.</summary>
    public async Task<Page<IntegrationLogDto>> LogsAsync(ClaimsPrincipal user, Guid? integrationId, PageRequest page, CancellationToken ct = default)
    {
        Access.Require(user, Permission.ManageIntegrations);
        page = page.Checked();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var logs = db.IntegrationLogs.AsNoTracking().Where(l => integrationId == null || l.IntegrationId == integrationId);
        var rows = await logs.OrderByDescending(l => l.CreatedAt).ThenByDescending(l => l.Id).Skip(page.Offset).Take(page.Limit).ToListAsync(ct);
        var total = page.Offset == 0 && rows.Count < page.Limit ? rows.Count : await logs.CountAsync(ct);
        return new Page<IntegrationLogDto>(rows.Select(l => new IntegrationLogDto(l.Id, l.IntegrationId, l.JobId, l.TriggeredBy, l.Attempt, l.Succeeded,
            l.StatusCode, l.ErrorDetail, l.ResponseBody, l.CreatedAt)).ToList(), total, page.Offset, page.Limit);
    }

    /// <summary>Deletes delivery logs older than <see cref="LogsKeptFor"/> (an hourly chore).</summary>
    public async Task<int> ForgetOldLogsAsync(CancellationToken ct)
    {
        var cutoff = clock.UtcNow() - LogsKeptFor;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.IntegrationLogs.Where(l => l.CreatedAt < cutoff).ExecuteDeleteAsync(ct);
    }

    private static void Apply(Integration integration, IntegrationInput input, DateTime now)
    {
        integration.Name = input.Name.Trim();
        integration.Description = string.IsNullOrWhiteSpace(input.Description) ? null : input.Description.Trim();
        integration.Enabled = input.Enabled;
        integration.Observes = string.Join(' ', input.Observes.Select(o => o.Trim()).Distinct(StringComparer.Ordinal));
        integration.Url = input.Url.Trim();
        integration.SecretKey = string.IsNullOrEmpty(input.SecretKey) ? null : input.SecretKey;
        integration.UpdatedAt = now;
    }

    internal static IntegrationDto ToDto(Integration i) =>
        new(i.Id, i.Name, i.Description, i.Enabled, i.ObservedEvents, i.Url, i.SecretKey, i.CreatedAt, i.UpdatedAt);
}
