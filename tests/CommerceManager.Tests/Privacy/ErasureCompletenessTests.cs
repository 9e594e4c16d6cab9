using CommerceManager.Data;
using CommerceManager.Customers;
using CommerceManager.Exports;
using CommerceManager.Orders;
using CommerceManager.Privacy;
using CommerceManager.Tests.Infrastructure;
using CommerceManager.Tests.Orders;
using CommerceManager.Views;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CommerceManager.Tests.Privacy;

/// <summary>Erasure reaches what names the customer outside their record (security.md, row 24).</summary>
public sealed class ErasureCompletenessTests
{
    [Fact]
    public async Task Saved_views_finished_exports_and_payment_references_that_name_the_customer_are_cleared()
    {
        await using var services = await TestServices.CreateAsync();
        var ada = (await services.Get<CustomerService>().CreateAsync(As.Admin, new CustomerInput { Name = "Ada", Email = "Ada@Erase.example" })).Value!;
        var cart = $"cart-{Guid.NewGuid():N}";
        await services.Get<CartService>().AddItemAsync(As.Admin, cart, new CartItemInput { Name = "Mug", Sku = "MUG", Quantity = 1, Price = 900 });
        var order = (await services.Get<CheckoutService>().CheckoutAsync(As.Admin, cart, new CheckoutInput
        {
            CustomerId = ada.Id, BillingAddress = CheckoutAndOrderTests.Billing(), ShippingAddress = CheckoutAndOrderTests.Billing(),
        })).Value!.Order;
        Assert.True((await services.Get<PaymentService>().PayAsync(As.Admin, order.Id,
            new PaymentInput(PaymentService.ManualGateway, "purchase", CustomReference: "cheque from Ada Lovelace", Name: "Cheque"))).IsOk);
        await using (var scope = services.Provider.CreateAsyncScope())
        {
            var roles = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.RoleManager<Microsoft.AspNetCore.Identity.IdentityRole>>();
            await roles.CreateAsync(new Microsoft.AspNetCore.Identity.IdentityRole(CommerceManager.Security.Roles.Representative));
        }
        var staff = services.Get<CommerceManager.Staff.StaffService>();
        Assert.True((await staff.CreateAsync(As.Admin, new CommerceManager.Staff.StaffInput
        {
            Email = "rita@erase.example", DisplayName = "Rita", Role = CommerceManager.Security.Roles.Representative, Password = "a fine long password",
        })).Succeeded);
        var ritaId = (await staff.ListAsync(As.Admin)).Single(s => s.Email == "rita@erase.example").Id;
        var rita = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity(
            [new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.Name, "rita@erase.example"),
             new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.NameIdentifier, ritaId),
             new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.Role, CommerceManager.Security.Roles.Representative)], "test"));
        var view = await services.Get<SavedViewService>().SaveAsync(rita, "customers", "Ada's orders", "q=ada@erase.example", shared: false, makeDefault: false);
        var other = await services.Get<SavedViewService>().SaveAsync(rita, "customers", "Everyone", "sort=name", shared: false, makeDefault: false);
        Assert.True(view.IsOk && other.IsOk);
        var export = await services.Get<ExportService>().CreateAsync(As.Admin, new ExportRequest(ExportKind.Customers, ExportFormat.Csv, "eq(email,ada@erase.example)"));
        await using (var db = await services.DbAsync())
        {
            await db.ExportJobs.Where(j => j.Id == export.Id).ExecuteUpdateAsync(s => s.SetProperty(j => j.Status, JobStatus.Success));
        }

        Assert.True((await services.Get<PrivacyService>().EraseCustomerAsync(As.Admin, ada.Id)).IsOk);

        await using var after = await services.DbAsync();
        Assert.False(await after.Set<SavedView>().AnyAsync(v => v.Id == view.Value!.Id));
        Assert.True(await after.Set<SavedView>().AnyAsync(v => v.Id == other.Value!.Id));
        Assert.Equal("(erased)", (await after.ExportJobs.SingleAsync(j => j.Id == export.Id)).Filter);
        var transaction = await after.Set<OrderTransaction>().SingleAsync(t => t.OrderId == order.Id);
        Assert.Null(transaction.CustomReference);
        Assert.Null(transaction.Name);
    }
}
