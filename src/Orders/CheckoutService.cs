using System.Security.Claims;
using CommerceManager.Accounts;
using CommerceManager.Addresses;
using CommerceManager.Customers;
using CommerceManager.Data;
using CommerceManager.Common;
using CommerceManager.Security;
using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CommerceManager.Orders;

/// <summary>
/// Who is checking out: a registered customer (<see cref="CustomerId"/>: the order is linked) or a guest
/// (<see cref="Name"/> and <see cref="Email"/>: never linked, even when a customer has that email).
/// </summary>
public sealed class CheckoutInput
{
    public Guid? CustomerId { get; set; }
    /// <summary>EP's Account Management checkout: the account and member (from the account token, or named by a server).</summary>
    public Guid? AccountId { get; set; }
    public Guid? AccountMemberId { get; set; }
    /// <summary>The guest's, or (account checkout) the contact's name and email.</summary>
    public string? Name { get; set; }
    public string? Email { get; set; }
    public AddressInput? BillingAddress { get; set; }
    public AddressInput? ShippingAddress { get; set; }
    /// <summary>The store's own number for the order (EP's <c>order_number</c>), optional.</summary>
    public string? OrderNumber { get; set; }
    public string? ExternalRef { get; set; }
}

public sealed class CheckoutInputValidator : AbstractValidator<CheckoutInput>
{
    public CheckoutInputValidator()
    {
        When(x => x.CustomerId is null, () =>
        {
            RuleFor(x => x.Name).Must(n => !string.IsNullOrWhiteSpace(n))
                .WithMessage("Customer name is required for a guest checkout (or give a customer id).");
            RuleFor(x => x.Email).Must(e => !string.IsNullOrWhiteSpace(e))
                .WithMessage("Customer email is required for a guest checkout (or give a customer id).");
            RuleFor(x => x.Email).Must(e => EmailRules.IsValid(e!)).When(x => !string.IsNullOrWhiteSpace(x.Email))
                .WithMessage("Customer email must be a valid email address.");
            RuleFor(x => x.Name).MaximumLength(CustomerLimits.NameMax);
        });
        RuleFor(x => x.BillingAddress).NotNull().WithMessage("A billing address is required.")
            .SetValidator(new OrderAddressValidator()!);
        RuleFor(x => x.ShippingAddress).NotNull().WithMessage("A shipping address is required.")
            .SetValidator(new OrderAddressValidator()!);
        RuleFor(x => x.OrderNumber).MaximumLength(OrderLimits.Reference).WithMessage($"order_number must be at most {OrderLimits.Reference} characters.");
        RuleFor(x => x.ExternalRef).MaximumLength(OrderLimits.Reference).WithMessage($"external_ref must be at most {OrderLimits.Reference} characters.");
    }
}

/// <summary>Turns a cart of custom items into an order, in one transaction: the order exists whole or not at all.</summary>
public sealed class CheckoutService(IDbContextFactory<AppDbContext> dbFactory, IValidator<CheckoutInput> validator,
    IOptions<StoreSettings> store, TimeProvider clock)
{
    public const string EmptyCart = "The cart is empty: add items before checking out.";
    public const string UnknownCustomer = "There is no customer with this id.";
    public const string UnknownAccount = "There is no account with this id, or the member does not belong to it.";
    public const string AccountNeedsToken = "An account checkout from a storefront needs the member's EP-Account-Management-Authentication-Token.";

    public async Task<Outcome<OrderDetail>> CheckoutAsync(ClaimsPrincipal user, string cartReference, CheckoutInput input, CancellationToken ct = default)
    {
        Access.Require(user, Permission.UseCarts);
        await validator.ValidateAndThrowAsync(input, ct);

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var cart = await db.Carts.AsNoTracking().Include(c => c.Items).FirstOrDefaultAsync(c => c.Reference == cartReference, ct);
        if (cart is not null)
        {
            CartService.Usable(user, cart);
        }
        if (cart is null || cart.Items.Count == 0)
        {
            return Outcome.Refused<OrderDetail>(EmptyCart, "cart");
        }

        var now = clock.UtcNow();
        var order = new Order
        {
            Id = Guid.CreateVersion7(),
            Status = OrderStatus.Incomplete,
            Payment = PaymentStatus.Unpaid,
            Shipping = ShippingStatus.Unfulfilled,
            Currency = store.Value.Currency,
            CartReference = cartReference,
            OrderNumber = string.IsNullOrWhiteSpace(input.OrderNumber) ? null : input.OrderNumber.Trim(),
            ExternalRef = string.IsNullOrWhiteSpace(input.ExternalRef) ? null : input.ExternalRef.Trim(),
            BillingAddress = Snapshot(input.BillingAddress!),
            ShippingAddress = Snapshot(input.ShippingAddress!),
            CreatedAt = now,
            UpdatedAt = now,
            Version = Guid.NewGuid(),
        };

        if (Access.AccountIdOf(user) is { } tokenAccount || input.AccountId is not null)
        {
            // EP's account checkout: the account and member come from the token; a server names them. The contact is
            // who to reach about this order.
            if (input.CustomerId is not null)
            {
                return Outcome.Refused<OrderDetail>("An order is placed for a customer or for an account, not both.", "customer.id");
            }
            Guid accountId;
            Guid? memberId;
            if (Access.AccountIdOf(user) is { } own)
            {
                if (input.AccountId is { } named && named != own)
                {
                    return Outcome.Refused<OrderDetail>(UnknownAccount, "account.id");
                }
                if (input.AccountMemberId is { } namedMember && namedMember != Access.AccountMemberIdOf(user))
                {
                    return Outcome.Refused<OrderDetail>(UnknownAccount, "account.member_id");
                }
                (accountId, memberId) = (own, Access.AccountMemberIdOf(user));
            }
            else if (!Access.Has(user, Permission.WriteCustomers))
            {
                return Outcome.Refused<OrderDetail>(AccountNeedsToken, "account.id");
            }
            else
            {
                (accountId, memberId) = (input.AccountId!.Value, input.AccountMemberId);
                var known = memberId is { } m
                    ? await db.AccountMemberships.AnyAsync(x => x.AccountId == accountId && x.MemberId == m, ct)
                    : await db.Accounts.AnyAsync(a => a.Id == accountId, ct);
                if (!known)
                {
                    return Outcome.Refused<OrderDetail>(UnknownAccount, "account.id");
                }
            }
            order.AccountId = accountId;
            order.AccountMemberId = memberId;
            order.CustomerName = input.Name!.Trim();
            order.CustomerEmail = input.Email!.Trim();
        }
        else if (input.CustomerId is { } customerId)
        {
            // As in EP, a storefront may name a customer id without a customer token (the SDK's Checkout sends
            // none). With a customer token it must be the token's own customer: another id reads as unknown.
            var tokenCustomer = Access.CustomerIdOf(user);
            var customer = tokenCustomer is null || tokenCustomer == customerId
                ? await db.Customers.AsNoTracking().FirstOrDefaultAsync(c => c.Id == customerId, ct)
                : null;
            if (customer is null)
            {
                return Outcome.Refused<OrderDetail>(UnknownCustomer, "customer.id");
            }
            order.CustomerId = customer.Id;
            order.CustomerName = customer.Name;
            order.CustomerEmail = customer.Email;
        }
        else
        {
            order.CustomerName = input.Name!.Trim();
            order.CustomerEmail = input.Email!.Trim();
        }
        order.NormalizedCustomerName = Customer.FoldName(order.CustomerName);
        order.NormalizedCustomerEmail = Customer.Normalize(order.CustomerEmail);

        foreach (var item in cart.Items.OrderBy(i => i.CreatedAt))
        {
            order.Items.Add(new OrderItem
            {
                Id = Guid.CreateVersion7(), OrderId = order.Id, Name = item.Name, Sku = item.Sku, Quantity = item.Quantity,
                UnitPrice = item.UnitPrice, LineTotal = item.UnitPrice * item.Quantity,
            });
        }
        order.Total = order.Items.Sum(i => i.LineTotal);
        order.ItemCount = order.Items.Sum(i => i.Quantity);
        order.Events.Add(new OrderEvent
        {
            Id = Guid.CreateVersion7(), OrderId = order.Id, At = now, Field = "created", To = "incomplete",
            By = order.AccountId is not null ? $"checkout for an account by {order.CustomerEmail}"
                : order.CustomerId is null ? $"guest checkout ({order.CustomerEmail})" : $"checkout by customer {order.CustomerEmail}",
        });

        // One SaveChanges is one transaction: the order, its items and its first event are written together.
        db.Orders.Add(order);
        await db.SaveChangesAsync(ct);
        return OrderService.Detail(order);
    }

    /// <summary>An order's copy of an address: a snapshot needs a region (validated) and may leave the county out.</summary>
    private static PostalAddress Snapshot(AddressInput a)
    {
        var postal = a.ToPostal();
        postal.Region ??= "";
        return postal;
    }

}
