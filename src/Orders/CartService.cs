using System.Security.Claims;
using CommerceManager.Accounts;
using CommerceManager.Data;
using CommerceManager.Querying;
using CommerceManager.Common;
using CommerceManager.Security;
using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CommerceManager.Orders;

public sealed class CartItemInput
{
    /// <summary>Only "custom_item": there is no product catalogue.</summary>
    public string? Type { get; set; } = "custom_item";
    public string? Name { get; set; }
    public string? Sku { get; set; }
    public string? Description { get; set; }
    public int Quantity { get; set; } = 1;
    /// <summary>Unit price in minor units.</summary>
    public long? Price { get; set; }
}

public sealed class CartItemInputValidator : AbstractValidator<CartItemInput>
{
    public CartItemInputValidator()
    {
        RuleFor(x => x.Type).Must(t => t is null or "custom_item").WithMessage("Only custom items (type custom_item) can be added.");
        RuleFor(x => x.Name).Must(n => !string.IsNullOrWhiteSpace(n)).WithMessage("Name is required.")
            .MaximumLength(255).WithMessage("Name must be at most 255 characters.");
        RuleFor(x => x.Sku).Must(s => !string.IsNullOrWhiteSpace(s)).WithMessage("SKU is required.")
            .MaximumLength(255).WithMessage("SKU must be at most 255 characters.");
        RuleFor(x => x.Description).MaximumLength(1000).WithMessage("Description must be at most 1000 characters.");
        RuleFor(x => x.Quantity).InclusiveBetween(1, CartLimits.MaxQuantity)
            .WithMessage($"Quantity must be between 1 and {CartLimits.MaxQuantity:N0}.");
        RuleFor(x => x.Price).NotNull().WithMessage("Price amount is required.")
            .InclusiveBetween(0, CartLimits.MaxUnitPrice).WithMessage("Price amount must be between 0 and 1,000,000,000 minor units.");
    }
}

public sealed record CartItemDto(Guid Id, string Name, string Sku, string? Description, int Quantity, long UnitPrice, long LineTotal, DateTime CreatedAt);

public sealed record CartDto(string Reference, IReadOnlyList<CartItemDto> Items, long Total, string Currency, DateTime CreatedAt, DateTime UpdatedAt,
    string? Name = null, string? Description = null, Guid? AccountId = null);

/// <summary>Carts of custom items, named by the storefront's own reference.</summary>
public sealed class CartService(IDbContextFactory<AppDbContext> dbFactory, IValidator<CartItemInput> validator,
    IOptions<StoreSettings> store, TimeProvider clock)
{
    public static bool IsValidReference(string reference) =>
        reference.Length is > 0 and <= CartLimits.Reference && reference.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    public const string NotYourCart = "This cart belongs to an account: use a token of one of its members (EP-Account-Management-Authentication-Token).";

    /// <summary>The cart, empty when the storefront has not added anything yet (as in EP, any reference names a cart).</summary>
    public async Task<CartDto> GetAsync(ClaimsPrincipal user, string reference, CancellationToken ct = default)
    {
        Access.Require(user, Permission.UseCarts);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var cart = await db.Carts.AsNoTracking().Include(c => c.Items).FirstOrDefaultAsync(c => c.Reference == reference, ct);
        var now = clock.UtcNow();
        return cart is null ? new CartDto(reference, [], 0, store.Value.Currency, now, now) : ToDto(Usable(user, cart));
    }

    /// <summary>
    /// A cart associated with an account is that account's: its members (their token), staff and servers use it; a
    /// storefront without the token gets 403, so one shopper's account cart is never another's.
    /// </summary>
    internal static Cart Usable(ClaimsPrincipal user, Cart cart) =>
        cart.AccountId is not { } account || Access.Has(user, Permission.WriteCustomers) || Access.AccountIdOf(user) == account
            ? cart
            : throw new AccessDeniedException(NotYourCart);

    /// <summary>
    /// EP's <c>POST /v2/carts</c>: a new cart with a name (and description), its id chosen by the store. With an account
    /// token it is that account's cart at once (EP's header on create).
    /// </summary>
    /// <param name="opening">Called before a new cart is stored (the API counts a storefront's new carts there).</param>
    public async Task<CartDto> CreateAsync(ClaimsPrincipal user, string? name, string? description, CancellationToken ct = default, Action? opening = null)
    {
        Access.Require(user, Permission.UseCarts);
        if (name?.Trim().Length > CartLimits.Name || description?.Trim().Length > CartLimits.Description)
        {
            throw new ValidationException([new FluentValidation.Results.ValidationFailure("Name",
                $"A cart's name is at most {CartLimits.Name} characters and its description {CartLimits.Description}.")]);
        }
        opening?.Invoke();
        var now = clock.UtcNow();
        var cart = new Cart
        {
            Reference = Guid.NewGuid().ToString(), Name = string.IsNullOrWhiteSpace(name) ? null : name.Trim(),
            Description = string.IsNullOrWhiteSpace(description) ? null : description.Trim(), AccountId = Access.AccountIdOf(user), CreatedAt = now, UpdatedAt = now,
        };
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.Carts.Add(cart);
        await db.SaveChangesAsync(ct);
        return ToDto(cart);
    }

    /// <summary>
    /// EP's <c>GET /v2/carts</c>: an account token's carts (newest change first); client credentials see every
    /// account's carts. Any other caller is refused: a storefront names its own carts by reference.
    /// </summary>
    public async Task<Page<CartDto>> ListAsync(ClaimsPrincipal user, PageRequest page, CancellationToken ct = default)
    {
        Access.Require(user, Permission.UseCarts);
        var own = Access.AccountIdOf(user);
        if (own is null && !Access.Has(user, Permission.ReadCustomers))
        {
            throw new AccessDeniedException(
                "Listing carts needs a shopper's token (EP-Account-Management-Authentication-Token) or a client_credentials token.");
        }
        page = page.Checked();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var carts = db.Carts.AsNoTracking().Where(c => c.AccountId != null);
        if (own is { } account)
        {
            carts = carts.Where(c => c.AccountId == account);
        }
        var total = await carts.CountAsync(ct);
        var rows = await carts.Include(c => c.Items).OrderByDescending(c => c.UpdatedAt).ThenBy(c => c.Reference).Skip(page.Offset).Take(page.Limit).ToListAsync(ct);
        return new Page<CartDto>(rows.Select(ToDto).ToList(), total, page.Offset, page.Limit);
    }

    /// <summary>Why an association is refused, as EP words it.</summary>
    public const string OneAccountOnly = "Cannot associate more than one account";
    public const string NotYourAccount = "Account does not have the required permissions to fulfill this request";

    /// <summary>
    /// EP's cart-account association: a cart belongs to at most one account. An account token associates its own
    /// account only; a server any existing account. True when it is associated now, false when it already was.
    /// </summary>
    public async Task<Outcome<bool>> AssociateAsync(ClaimsPrincipal user, string reference, IReadOnlyList<Guid> accountIds, CancellationToken ct = default)
    {
        Access.Require(user, Permission.UseCarts);
        if (accountIds.Distinct().Count() != 1)
        {
            throw new AccessDeniedException(OneAccountOnly);
        }
        var accountId = accountIds[0];
        var own = Access.AccountIdOf(user);
        if (own is null && !Access.Has(user, Permission.WriteCustomers))
        {
            throw new AccessDeniedException("Associating a cart with an account needs the account's member token, or a client_credentials token.");
        }
        if (own is not null && own != accountId)
        {
            throw new AccessDeniedException(NotYourAccount);
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var cart = await db.Carts.FirstOrDefaultAsync(c => c.Reference == reference, ct);
        if (cart is null)
        {
            return Outcome.NotFound<bool>();
        }
        if (!await db.Accounts.AnyAsync(a => a.Id == accountId, ct))
        {
            return Outcome.Refused<bool>("There is no account with this id.", "data");
        }
        if (cart.AccountId == accountId)
        {
            return false;
        }
        if (cart.AccountId is not null)
        {
            throw new AccessDeniedException(OneAccountOnly);
        }
        cart.AccountId = accountId;
        cart.UpdatedAt = clock.UtcNow();
        await db.SaveChangesAsync(ct);
        return true;
    }

    /// <summary>Ends a cart's association with an account (its member's token, or a server).</summary>
    public async Task<Outcome<bool>> DissociateAsync(ClaimsPrincipal user, string reference, IReadOnlyList<Guid> accountIds, CancellationToken ct = default)
    {
        Access.Require(user, Permission.UseCarts);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var cart = await db.Carts.FirstOrDefaultAsync(c => c.Reference == reference, ct);
        if (cart is null)
        {
            return Outcome.NotFound<bool>();
        }
        Usable(user, cart);
        if (cart.AccountId is { } account && accountIds.Contains(account))
        {
            cart.AccountId = null;
            cart.UpdatedAt = clock.UtcNow();
            await db.SaveChangesAsync(ct);
        }
        return true;
    }

    /// <summary>
    /// EP's cart merge (<c>{"type":"cart_items","cart_id"}</c>): the other cart's items are added to this one, the
    /// quantities of the same item summed. The other cart is left as it was.
    /// </summary>
    public async Task<CartDto> MergeAsync(ClaimsPrincipal user, string reference, string otherReference, CancellationToken ct = default)
    {
        Access.Require(user, Permission.UseCarts);
        var other = await GetAsync(user, otherReference, ct);
        var merged = await GetAsync(user, reference, ct);
        foreach (var item in other.Items)
        {
            merged = await AddItemAsync(user, reference, new CartItemInput
            {
                Name = item.Name, Sku = item.Sku, Description = item.Description, Quantity = item.Quantity, Price = item.UnitPrice,
            }, ct);
        }
        return merged;
    }

    /// <summary>Adds a custom item; the same SKU again adds to its quantity.</summary>
    /// <param name="opening">Called before the first item opens a new cart under <paramref name="reference"/>.</param>
    public async Task<CartDto> AddItemAsync(ClaimsPrincipal user, string reference, CartItemInput input, CancellationToken ct = default, Action? opening = null)
    {
        Access.Require(user, Permission.UseCarts);
        await validator.ValidateAndThrowAsync(input, ct);
        var now = clock.UtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var cart = await db.Carts.Include(c => c.Items).FirstOrDefaultAsync(c => c.Reference == reference, ct);
        if (cart is null)
        {
            opening?.Invoke();
            cart = new Cart { Reference = reference, CreatedAt = now };
            db.Carts.Add(cart);
        }
        Usable(user, cart);
        var sku = input.Sku!.Trim();
        var existing = cart.Items.FirstOrDefault(i => i.Sku == sku && i.UnitPrice == input.Price);
        if (existing is not null)
        {
            existing.Quantity = Math.Min(CartLimits.MaxQuantity, existing.Quantity + input.Quantity);
        }
        else
        {
            if (cart.Items.Count >= CartLimits.MaxItems)
            {
                throw new ValidationException([new FluentValidation.Results.ValidationFailure("Items", $"A cart holds at most {CartLimits.MaxItems} different items.")]);
            }
            var item = new CartItem
            {
                Id = Guid.CreateVersion7(), CartReference = reference, Name = input.Name!.Trim(), Sku = sku,
                Description = string.IsNullOrWhiteSpace(input.Description) ? null : input.Description.Trim(),
                Quantity = input.Quantity, UnitPrice = input.Price!.Value, CreatedAt = now,
            };
            cart.Items.Add(item);
            // Added explicitly: EF would take a new item with its key already set for an existing row.
            db.Add(item);
        }
        cart.UpdatedAt = now;
        await db.SaveChangesAsync(ct);
        return ToDto(cart);
    }

    public async Task<CartDto?> RemoveItemAsync(ClaimsPrincipal user, string reference, Guid itemId, CancellationToken ct = default)
    {
        Access.Require(user, Permission.UseCarts);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await EnsureUsableAsync(db, user, reference, ct);
        var removed = await db.Set<CartItem>().Where(i => i.Id == itemId && i.CartReference == reference).ExecuteDeleteAsync(ct);
        return removed == 0 ? null : await GetAsync(user, reference, ct);
    }

    /// <summary>Sets an item's quantity; 0 removes it. Null when the item is not in the cart.</summary>
    public async Task<CartDto?> SetQuantityAsync(ClaimsPrincipal user, string reference, Guid itemId, int quantity, CancellationToken ct = default)
    {
        Access.Require(user, Permission.UseCarts);
        if (quantity is < 0 or > CartLimits.MaxQuantity)
        {
            throw new ValidationException([new FluentValidation.Results.ValidationFailure(nameof(CartItemInput.Quantity),
                $"Quantity must be between 0 and {CartLimits.MaxQuantity:N0}.")]);
        }
        if (quantity == 0)
        {
            return await RemoveItemAsync(user, reference, itemId, ct);
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await EnsureUsableAsync(db, user, reference, ct);
        var updated = await db.Set<CartItem>().Where(i => i.Id == itemId && i.CartReference == reference)
            .ExecuteUpdateAsync(u => u.SetProperty(i => i.Quantity, quantity), ct);
        return updated == 0 ? null : await GetAsync(user, reference, ct);
    }

    public async Task<CartDto> RemoveAllItemsAsync(ClaimsPrincipal user, string reference, CancellationToken ct = default)
    {
        Access.Require(user, Permission.UseCarts);
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            await EnsureUsableAsync(db, user, reference, ct);
            await db.Set<CartItem>().Where(i => i.CartReference == reference).ExecuteDeleteAsync(ct);
        }
        return await GetAsync(user, reference, ct);
    }

    public async Task<bool> DeleteAsync(ClaimsPrincipal user, string reference, CancellationToken ct = default)
    {
        Access.Require(user, Permission.UseCarts);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await EnsureUsableAsync(db, user, reference, ct);
        return await db.Carts.Where(c => c.Reference == reference).ExecuteDeleteAsync(ct) > 0;
    }

    private static async Task EnsureUsableAsync(AppDbContext db, ClaimsPrincipal user, string reference, CancellationToken ct)
    {
        if (await db.Carts.AsNoTracking().Where(c => c.Reference == reference).Select(c => c.AccountId).FirstOrDefaultAsync(ct) is { } account)
        {
            Usable(user, new Cart { Reference = reference, AccountId = account });
        }
    }

    private CartDto ToDto(Cart cart)
    {
        var items = cart.Items.OrderBy(i => i.CreatedAt).ThenBy(i => i.Id)
            .Select(i => new CartItemDto(i.Id, i.Name, i.Sku, i.Description, i.Quantity, i.UnitPrice, i.UnitPrice * i.Quantity, i.CreatedAt))
            .ToList();
        return new CartDto(cart.Reference, items, items.Sum(i => i.LineTotal), store.Value.Currency, cart.CreatedAt, cart.UpdatedAt,
            cart.Name, cart.Description, cart.AccountId);
    }
}
