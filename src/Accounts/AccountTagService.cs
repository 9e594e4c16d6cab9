using System.Security.Claims;
using CommerceManager.Common;
using CommerceManager.Data;
using CommerceManager.Security;
using FluentValidation;
using Microsoft.EntityFrameworkCore;

namespace CommerceManager.Accounts;

public sealed record AccountTagDto(Guid Id, string Name, string? Description, DateTime CreatedAt, DateTime UpdatedAt, int Accounts = 0);

/// <summary>EP's account tags (<c>/v2/account-tags</c>): names unique in the store, readable by staff and API clients.</summary>
public sealed class AccountTagService(IDbContextFactory<AppDbContext> dbFactory, TimeProvider clock)
{
    public const string NameTaken = "Another account tag has this name.";

    public async Task<IReadOnlyList<AccountTagDto>> ListAsync(ClaimsPrincipal user, CancellationToken ct = default)
    {
        Access.Require(user, Permission.ReadCustomers);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var links = db.AccountTagLinks;
        return await db.AccountTags.AsNoTracking().OrderBy(t => t.NormalizedName)
            .Select(t => new AccountTagDto(t.Id, t.Name, t.Description, t.CreatedAt, t.UpdatedAt, links.Count(l => l.TagId == t.Id)))
            .ToListAsync(ct);
    }

    public async Task<AccountTagDto?> GetAsync(ClaimsPrincipal user, Guid id, CancellationToken ct = default) =>
        (await ListAsync(user, ct)).FirstOrDefault(t => t.Id == id);

    public async Task<Outcome<AccountTagDto>> CreateAsync(ClaimsPrincipal user, string name, string? description, CancellationToken ct = default)
    {
        Access.Require(user, Permission.WriteCustomers);
        Validate(name, description);
        var now = clock.UtcNow();
        var tag = new AccountTag { Id = Guid.CreateVersion7(), CreatedAt = now };
        Apply(tag, name, description, now);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.AccountTags.Add(tag);
        return await db.SaveOrConflictAsync(() => new AccountTagDto(tag.Id, tag.Name, tag.Description, tag.CreatedAt, tag.UpdatedAt), ct, "Name", NameTaken);
    }

    public async Task<Outcome<AccountTagDto>> UpdateAsync(ClaimsPrincipal user, Guid id, string name, string? description, CancellationToken ct = default)
    {
        Access.Require(user, Permission.WriteCustomers);
        Validate(name, description);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var tag = await db.AccountTags.FirstOrDefaultAsync(t => t.Id == id, ct);
        if (tag is null)
        {
            return Outcome.NotFound<AccountTagDto>();
        }
        Apply(tag, name, description, clock.UtcNow());
        return await db.SaveOrConflictAsync(() => new AccountTagDto(tag.Id, tag.Name, tag.Description, tag.CreatedAt, tag.UpdatedAt), ct, "Name", NameTaken);
    }

    /// <summary>Deletes the tag; the accounts that carried it lose it.</summary>
    public async Task<bool> DeleteAsync(ClaimsPrincipal user, Guid id, CancellationToken ct = default)
    {
        Access.Require(user, Permission.WriteCustomers);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.AccountTags.Where(t => t.Id == id).ExecuteDeleteAsync(ct) > 0;
    }

    private static void Apply(AccountTag tag, string name, string? description, DateTime now)
    {
        tag.Name = name.Trim();
        tag.NormalizedName = Customers.Customer.FoldName(tag.Name);
        tag.Description = string.IsNullOrWhiteSpace(description) ? null : description.Trim();
        tag.UpdatedAt = now;
    }

    private static void Validate(string name, string? description)
    {
        var failures = new List<FluentValidation.Results.ValidationFailure>();
        if (string.IsNullOrWhiteSpace(name) || name.Trim().Length > AccountLimits.Text)
        {
            failures.Add(new("Name", $"name is required (up to {AccountLimits.Text} characters)."));
        }
        if (description?.Trim().Length > AccountLimits.TagDescription)
        {
            failures.Add(new("Description", $"description must be at most {AccountLimits.TagDescription} characters."));
        }
        if (failures.Count > 0)
        {
            throw new ValidationException(failures);
        }
    }
}
