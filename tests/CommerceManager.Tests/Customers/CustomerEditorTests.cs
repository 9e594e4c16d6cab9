using Bunit;
using CommerceManager.Customers;
using CommerceManager.Security;
using CommerceManager.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CommerceManager.Tests.Customers;

public sealed class CustomerEditorTests : ConsoleTestContext
{
    private CustomerService Customers => App.Get<CustomerService>();

    private static void Type(IRenderedComponent<CustomerEditor> cut, string inputId, string value) =>
        cut.Find($"#{inputId}").TypeText(value);

    // Found and clicked in one step on the renderer: the form re-renders when its custom fields arrive, which would
    // otherwise replace the button between finding and clicking it.
    private static Task SaveAsync(IRenderedComponent<CustomerEditor> cut) =>
        cut.InvokeAsync(() => cut.Find("[data-testid=save-customer]").ClickAsync(new()));

    [Fact]
    public async Task Saving_an_empty_form_shows_the_validators_messages_beside_the_fields_and_saves_nothing()
    {
        SignInAs(Roles.Representative);
        var cut = Render<CustomerEditor>();

        await SaveAsync(cut);

        cut.WaitForAssertion(() =>
        {
            Assert.Contains("Name is required.", cut.Markup);
            Assert.Contains("Email is required.", cut.Markup);
        });
        await using var db = await App.DbAsync();
        Assert.Equal(0, await db.Customers.CountAsync());
    }

    [Fact]
    public async Task An_invalid_email_and_a_common_password_get_the_services_messages()
    {
        SignInAs(Roles.Representative);
        var cut = Render<CustomerEditor>();
        Type(cut, "customer-name", "Ada");
        Type(cut, "customer-email", "ada at example");
        Type(cut, "customer-password", "password123");

        await SaveAsync(cut);

        cut.WaitForAssertion(() =>
        {
            Assert.Contains("Email must be a valid email address, such as ada@example.com.", cut.Markup);
            Assert.Contains("This password is too common.", cut.Markup);
        });
        Assert.Equal("Ada", cut.Find("#customer-name").GetAttribute("value"));
    }

    [Fact]
    public async Task A_valid_form_creates_the_customer_through_the_service()
    {
        SignInAs(Roles.Representative);
        CustomerDto? saved = null;
        var cut = Render<CustomerEditor>(p => p.Add(e => e.OnSaved, c => saved = c));
        Type(cut, "customer-name", "Ada Lovelace");
        Type(cut, "customer-email", "ada@example.com");
        Type(cut, "customer-external-ref", "crm-7");

        await SaveAsync(cut);

        cut.WaitForAssertion(() => Assert.NotNull(saved));
        var stored = await Customers.GetAsync(As.Viewer, saved!.Id);
        Assert.Equal(("Ada Lovelace", "ada@example.com", "crm-7"), (stored!.Name, stored.Email, stored.ExternalRef));
    }

    [Fact]
    public async Task A_taken_email_in_another_case_is_shown_as_an_error_on_the_email_field()
    {
        await Customers.CreateAsync(As.Admin, new CustomerInput { Name = "Ada", Email = "ada@example.com" });
        SignInAs(Roles.Representative);
        var cut = Render<CustomerEditor>();
        Type(cut, "customer-name", "Another Ada");
        Type(cut, "customer-email", "ADA@Example.com");

        await SaveAsync(cut);

        cut.WaitForAssertion(() =>
        {
            var emailField = cut.Find("#customer-email").Closest(".mud-input-control")!;
            Assert.Contains(CustomerService.EmailTakenMessage, emailField.TextContent);
            Assert.Contains("mud-input-error", emailField.InnerHtml);
        });
        Assert.Equal("Another Ada", cut.Find("#customer-name").GetAttribute("value"));
    }

    [Fact]
    public async Task Saving_over_a_newer_change_warns_and_keeps_what_was_typed()
    {
        var original = (await Customers.CreateAsync(As.Admin, new CustomerInput { Name = "Ada", Email = "ada@example.com" })).Value!;
        SignInAs(Roles.Representative);
        var cut = Render<CustomerEditor>(p => p.Add(e => e.Customer, original));
        await Customers.UpdateAsync(As.Admin, original.Id, new CustomerInput { Name = "Changed elsewhere", Email = "ada@example.com" }, null);
        Type(cut, "customer-name", "My edit");

        await SaveAsync(cut);

        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=conflict-alert]")));
        Assert.Equal("My edit", cut.Find("#customer-name").GetAttribute("value"));
        Assert.Equal("Changed elsewhere", (await Customers.GetAsync(As.Viewer, original.Id))!.Name);
    }

    [Fact]
    public async Task Viewers_read_the_values_as_text_without_inputs_or_a_save_button()
    {
        var customer = (await Customers.CreateAsync(As.Admin, new CustomerInput { Name = "Ada", Email = "ada@example.com" })).Value!;
        SignInAs(Roles.Viewer);

        var cut = Render<CustomerEditor>(p => p.Add(e => e.Customer, customer).Add(e => e.ReadOnly, true));

        Assert.Empty(cut.FindAll("[data-testid=save-customer]"));
        Assert.Empty(cut.FindAll("#customer-name"));
        Assert.Empty(cut.FindAll("input"));
        Assert.Equal("Ada", cut.Find("[data-testid=read-only-name]").TextContent);
        Assert.Equal("ada@example.com", cut.Find("[data-testid=read-only-email]").TextContent);
    }
}
