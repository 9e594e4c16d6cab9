using System.Security.Claims;
using CommerceManager.Addresses;
using CommerceManager.Common;
using CommerceManager.Data;
using CommerceManager.Querying;
using CommerceManager.Security;
using FluentValidation;
using Microsoft.EntityFrameworkCore;

namespace CommerceManager.Accounts;

public sealed record AccountAddressDto(Guid Id, Guid AccountId, string? Name, PostalAddress Postal, DateTime CreatedAt, DateTime UpdatedAt, Guid Version)
{
    public AddressInput ToInput() => AddressInput.From(Postal, Name);
}

/// <summary>
/// An account address's rules (EP's checkout rule, which its starters follow): first and last name, line 1, postcode
/// and country, and a county or a region. EP's storefronts leave out the fields they don't ask for, county among them.
/// </summary>
public sealed class AccountAddressValidator : AddressRules
{
    public AccountAddressValidator() : base(
        (nameof(AddressInput.FirstName), x => x.FirstName, "First name"),
        (nameof(AddressInput.LastName), x => x.LastName, "Last name"),
        (nameof(AddressInput.Line1), x => x.Line1, "Address line 1"),
        (nameof(AddressInput.Postcode), x => x.Postcode, "Postcode"),
        (nameof(AddressInput.Country), x => x.Country, "Country"))
    {
        RuleFor(x => x.County).Must((address, county) => !string.IsNullOrWhiteSpace(county) || !string.IsNullOrWhiteSpace(address.Region))
            .WithMessage("A county or a region is required.");
    }
}

/// <summary>
/// An account's addresses (EP's account address book), for staff acting for the account and for the account's members
/// through their token. The same postal rules and limits as customers' addresses.
/// </summary>
public sealed class AccountAddressService(IDbContextFactory<AppDbContext> dbFactory, AccountAddressValidator validator, TimeProvider clock)
{
    /// <summary>The account's addresses, oldest first; null when the account does not exist (or is not the caller's).</summary>
    public async Task<Page<AccountAddressDto>?> ListAsync(ClaimsPrincipal user, Guid accountId, PageRequest page, CancellationToken ct = default)
    {
        if (!Access.CanReachAccount(user, accountId, write: false))
        {
            return null;
        }
        page = page.Checked();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (!await db.Accounts.AnyAsync(a => a.Id == accountId, ct))
        {
            return null;
        }
        var q = db.AccountAddresses.AsNoTracking().Where(a => a.AccountId == accountId);
        var total = await q.CountAsync(ct);
        var rows = await q.OrderBy(a => a.CreatedAt).ThenBy(a => a.Id).Skip(page.Offset).Take(page.Limit).Select(ToDto).ToListAsync(ct);
        return new Page<AccountAddressDto>(rows, total, page.Offset, page.Limit);
    }

    public async Task<AccountAddressDto?> GetAsync(ClaimsPrincipal user, Guid accountId, Guid id, CancellationToken ct = default)
    {
        if (!Access.CanReachAccount(user, accountId, write: false))
        {
            return null;
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.AccountAddresses.AsNoTracking().Where(a => a.Id == id && a.AccountId == accountId).Select(ToDto).FirstOrDefaultAsync(ct);
    }

    public async Task<Outcome<AccountAddressDto>> CreateAsync(ClaimsPrincipal user, Guid accountId, AddressInput input, CancellationToken ct = default)
    {
        if (!Access.CanReachAccount(user, accountId, write: true))
        {
            return Outcome.NotFound<AccountAddressDto>();
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (!await db.Accounts.AnyAsync(a => a.Id == accountId, ct))
        {
            return Outcome.NotFound<AccountAddressDto>();
        }
        await validator.ValidateAndThrowAsync(input, ct);
        if (await db.AccountAddresses.CountAsync(a => a.AccountId == accountId, ct) >= AccountLimits.AddressesPerAccount)
        {
            throw new ValidationException([new FluentValidation.Results.ValidationFailure("Addresses",
                $"An account keeps at most {AccountLimits.AddressesPerAccount} addresses: delete one first.")]);
        }
        var now = clock.UtcNow();
        var address = new AccountAddress { Id = Guid.CreateVersion7(), AccountId = accountId, CreatedAt = now };
        Apply(address, input, now);
        db.AccountAddresses.Add(address);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (DbErrors.IsForeignKeyViolation(ex))
        {
            return Outcome.NotFound<AccountAddressDto>();
        }
        return ToDtoCompiled(address);
    }

    public async Task<Outcome<AccountAddressDto>> UpdateAsync(ClaimsPrincipal user, Guid accountId, Guid id, AddressInput input, Guid? expectedVersion,
        CancellationToken ct = default)
    {
        if (!Access.CanReachAccount(user, accountId, write: true))
        {
            return Outcome.NotFound<AccountAddressDto>();
        }
        await validator.ValidateAndThrowAsync(input, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var address = await db.AccountAddresses.FirstOrDefaultAsync(a => a.Id == id && a.AccountId == accountId, ct);
        if (Saving.IsStale(address, expectedVersion, out Outcome<AccountAddressDto> stale))
        {
            return stale;
        }
        Apply(address, input, clock.UtcNow());
        return await db.SaveOrConflictAsync(() => ToDtoCompiled(address), ct);
    }

    public async Task<bool> DeleteAsync(ClaimsPrincipal user, Guid accountId, Guid id, CancellationToken ct = default)
    {
        if (!Access.CanReachAccount(user, accountId, write: true))
        {
            return false;
        }
        return await Saving.RemoveAsync(dbFactory, db => db.AccountAddresses.FirstOrDefaultAsync(a => a.Id == id && a.AccountId == accountId, ct), ct);
    }

    private static void Apply(AccountAddress a, AddressInput input, DateTime now)
    {
        a.Name = AddressInput.Clean(input.Name);
        a.Postal = input.ToPostal();
        a.UpdatedAt = now;
        a.Version = Guid.NewGuid();
    }

    private static readonly System.Linq.Expressions.Expression<Func<AccountAddress, AccountAddressDto>> ToDto = a =>
        new AccountAddressDto(a.Id, a.AccountId, a.Name, a.Postal, a.CreatedAt, a.UpdatedAt, a.Version);

    private static readonly Func<AccountAddress, AccountAddressDto> ToDtoCompiled = ToDto.Compile();
}
