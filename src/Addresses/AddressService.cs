using System.Linq.Expressions;
using System.Security.Claims;
using CommerceManager.Data;
using CommerceManager.Infrastructure;
using CommerceManager.Security;
using FluentValidation;
using Microsoft.EntityFrameworkCore;

namespace CommerceManager.Addresses;

public sealed record AddressDto(
    Guid Id,
    Guid CustomerId,
    string? Name,
    string FirstName,
    string LastName,
    string? CompanyName,
    string Line1,
    string? Line2,
    string? City,
    string? Region,
    string Postcode,
    string County,
    string Country,
    string? PhoneNumber,
    string? Instructions,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    Guid Version,
    string? CustomData = null)
{
    public string CountryName => Countries.NameOf(Country);

    public AddressInput ToInput() => new()
    {
        Name = Name, FirstName = FirstName, LastName = LastName, CompanyName = CompanyName, Line1 = Line1, Line2 = Line2,
        City = City, Region = Region, Postcode = Postcode, County = County, Country = Country, PhoneNumber = PhoneNumber,
        Instructions = Instructions,
    };
}

/// <summary>
/// A customer's addresses, for staff acting on the customer's behalf and (through the API) for the customer
/// themselves. No UI logic here: the console and the API call the same methods.
/// </summary>
public sealed class AddressService(IDbContextFactory<AppDbContext> dbFactory, IValidator<AddressInput> validator,
    CustomFields.CustomFieldService customFields, TimeProvider clock)
{
    public const int MaxLimit = 100;

    /// <summary>The customer's addresses, oldest first; null when the customer does not exist (or is not the caller's).</summary>
    public async Task<Page<AddressDto>?> ListAsync(ClaimsPrincipal user, Guid customerId, int offset = 0, int limit = MaxLimit, CancellationToken ct = default)
    {
        if (!Access.CanReach(user, customerId, write: false))
        {
            return null;
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (!await db.Customers.AnyAsync(c => c.Id == customerId, ct))
        {
            return null;
        }
        var query = db.Set<Address>().AsNoTracking().Where(a => a.CustomerId == customerId);
        var total = await query.CountAsync(ct);
        var items = await query.OrderBy(a => a.CreatedAt).ThenBy(a => a.Id)
            .Skip(Math.Max(0, offset)).Take(Math.Clamp(limit, 1, MaxLimit))
            .Select(ToDto).ToListAsync(ct);
        return new Page<AddressDto>(items, total, offset, limit);
    }

    public async Task<AddressDto?> GetAsync(ClaimsPrincipal user, Guid customerId, Guid addressId, CancellationToken ct = default)
    {
        if (!Access.CanReach(user, customerId, write: false))
        {
            return null;
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Set<Address>().AsNoTracking()
            .Where(a => a.Id == addressId && a.CustomerId == customerId)
            .Select(ToDto).FirstOrDefaultAsync(ct);
    }

    public async Task<Outcome<AddressDto>> CreateAsync(ClaimsPrincipal user, Guid customerId, AddressInput input, CancellationToken ct = default)
    {
        if (!Access.CanReach(user, customerId, write: true))
        {
            return Outcome.NotFound<AddressDto>();
        }
        await validator.ValidateAndThrowAsync(input, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (!await db.Customers.AnyAsync(c => c.Id == customerId, ct))
        {
            return Outcome.NotFound<AddressDto>();
        }
        var now = clock.UtcNow();
        var address = new Address { Id = Guid.CreateVersion7(), CustomerId = customerId, CreatedAt = now };
        address.CustomData = await customFields.MergeAsync(CustomFields.Flow.Addresses, null, input.Custom, creating: true, ct);
        Apply(address, input, now);
        db.Add(address);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // The customer was deleted between the check and the insert (the foreign key refused it).
            return Outcome.NotFound<AddressDto>();
        }
        return ToDtoCompiled(address);
    }

    /// <summary>Replaces the address's fields; with <paramref name="expectedVersion"/> a stale edit is refused.</summary>
    public async Task<Outcome<AddressDto>> UpdateAsync(ClaimsPrincipal user, Guid customerId, Guid addressId, AddressInput input,
        Guid? expectedVersion, CancellationToken ct = default)
    {
        if (!Access.CanReach(user, customerId, write: true))
        {
            return Outcome.NotFound<AddressDto>();
        }
        await validator.ValidateAndThrowAsync(input, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var address = await db.Set<Address>().FirstOrDefaultAsync(a => a.Id == addressId && a.CustomerId == customerId, ct);
        if (address is null)
        {
            return Outcome.NotFound<AddressDto>();
        }
        if (expectedVersion is { } version && address.Version != version)
        {
            return Outcome.Conflict<AddressDto>();
        }
        address.CustomData = await customFields.MergeAsync(CustomFields.Flow.Addresses, address.CustomData, input.Custom, creating: false, ct);
        Apply(address, input, clock.UtcNow());
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Outcome.Conflict<AddressDto>();
        }
        return ToDtoCompiled(address);
    }

    public async Task<bool> DeleteAsync(ClaimsPrincipal user, Guid customerId, Guid addressId, CancellationToken ct = default)
    {
        if (!Access.CanReach(user, customerId, write: true))
        {
            return false;
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Set<Address>().Where(a => a.Id == addressId && a.CustomerId == customerId).ExecuteDeleteAsync(ct) > 0;
    }

    private static void Apply(Address a, AddressInput input, DateTime now)
    {
        a.Name = AddressInput.Clean(input.Name);
        a.FirstName = AddressInput.Clean(input.FirstName) ?? "";
        a.LastName = AddressInput.Clean(input.LastName) ?? "";
        a.CompanyName = AddressInput.Clean(input.CompanyName);
        a.Line1 = AddressInput.Clean(input.Line1) ?? "";
        a.Line2 = AddressInput.Clean(input.Line2);
        a.City = AddressInput.Clean(input.City);
        a.Region = AddressInput.Clean(input.Region);
        a.Postcode = AddressInput.Clean(input.Postcode) ?? "";
        a.County = AddressInput.Clean(input.County) ?? "";
        a.Country = AddressInput.CleanCountry(input.Country);
        a.PhoneNumber = AddressInput.Clean(input.PhoneNumber);
        a.Instructions = AddressInput.Clean(input.Instructions);
        a.UpdatedAt = now;
        a.Version = Guid.NewGuid();
    }

    internal static readonly Expression<Func<Address, AddressDto>> ToDto = a => new AddressDto(a.Id, a.CustomerId, a.Name, a.FirstName,
        a.LastName, a.CompanyName, a.Line1, a.Line2, a.City, a.Region, a.Postcode, a.County, a.Country, a.PhoneNumber, a.Instructions,
        a.CreatedAt, a.UpdatedAt, a.Version, a.CustomData);

    private static readonly Func<Address, AddressDto> ToDtoCompiled = ToDto.Compile();
}
