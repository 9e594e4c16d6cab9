using System.Net;
using CommerceManager.CustomFields;
using CommerceManager.Customers;
using CommerceManager.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CommerceManager.Tests.Api;

/// <summary>Customer tokens end when credentials change, and a customer token alone cannot take an account over.</summary>
public sealed class CustomerTokensSecurityTests(AppFactory app) : ApiTestBase(app), IClassFixture<AppFactory>
{
    private const string Password = "correct horse battery staple";

    private async Task<(ApiClient Client, string Id, string Email)> CustomerAsync()
    {
        var client = await ApiClient.ImplicitAsync(App);
        var email = UniqueEmail();
        var id = (await RegisterAsync(client, email))["id"]!.GetValue<string>();
        client.CustomerToken = await TokenAsync(email, Password);
        return (client, id, email);
    }

    private async Task<string> TokenAsync(string email, string password)
    {
        var storefront = await ApiClient.ImplicitAsync(App);
        return (await ApiClient.ExpectAsync(await storefront.PostAsync("/v2/customers/tokens", new { type = "token", email, password }), HttpStatusCode.OK))["data"]!["token"]!.GetValue<string>();
    }

    private async Task<ApiClient> WithTokenAsync(string token)
    {
        var client = await ApiClient.ImplicitAsync(App);
        client.CustomerToken = token;
        return client;
    }

    [Fact]
    public async Task A_customer_changing_its_password_must_send_the_current_one_and_its_other_tokens_end()
    {
        var (phone, id, email) = await CustomerAsync();
        var laptop = await WithTokenAsync(await TokenAsync(email, Password));

        var missing = await ApiClient.ExpectErrorAsync(await phone.PutAsync($"/v2/customers/{id}", new { type = "customer", password = "a brand new passphrase" }), HttpStatusCode.UnprocessableEntity);
        var wrong = await ApiClient.ExpectErrorAsync(await phone.PutAsync($"/v2/customers/{id}", new { type = "customer", password = "a brand new passphrase", current_password = "not it at all" }), HttpStatusCode.UnprocessableEntity);
        await ApiClient.ExpectAsync(await phone.PutAsync($"/v2/customers/{id}", new { type = "customer", password = "a brand new passphrase", current_password = Password }), HttpStatusCode.OK);

        Assert.Equal("data.current_password", missing["source"]!.GetValue<string>());
        Assert.Equal("data.current_password", wrong["source"]!.GetValue<string>());
        await ApiClient.ExpectAsync(await phone.GetAsync($"/v2/customers/{id}"), HttpStatusCode.OK);
        await ApiClient.ExpectErrorAsync(await laptop.GetAsync($"/v2/customers/{id}"), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Staff_or_a_server_changing_the_password_or_email_ends_every_token()
    {
        var (first, id, _) = await CustomerAsync();
        var (second, secondId, secondEmail) = await CustomerAsync();
        var server = await ApiClient.ClientCredentialsAsync(App);

        await ApiClient.ExpectAsync(await server.PutAsync($"/v2/customers/{id}", new { type = "customer", password = "set by the store 123" }), HttpStatusCode.OK);
        await ApiClient.ExpectAsync(await server.PutAsync($"/v2/customers/{secondId}", new { type = "customer", email = "moved." + secondEmail }), HttpStatusCode.OK);

        await ApiClient.ExpectErrorAsync(await first.GetAsync($"/v2/customers/{id}"), HttpStatusCode.Unauthorized);
        await ApiClient.ExpectErrorAsync(await second.GetAsync($"/v2/customers/{secondId}"), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Signing_out_ends_only_this_token_and_staff_can_sign_a_customer_out_everywhere()
    {
        var (phone, id, email) = await CustomerAsync();
        var laptop = await WithTokenAsync(await TokenAsync(email, Password));

        Assert.Equal(HttpStatusCode.NoContent, (await phone.DeleteAsync("/v2/customers/tokens/current")).StatusCode);
        await ApiClient.ExpectErrorAsync(await phone.GetAsync($"/v2/customers/{id}"), HttpStatusCode.Unauthorized);
        await ApiClient.ExpectAsync(await laptop.GetAsync($"/v2/customers/{id}"), HttpStatusCode.OK);

        var ended = await App.Services.GetRequiredService<CustomerService>().SignOutEverywhereAsync(As.Representative, Guid.Parse(id));

        Assert.Equal(1, ended.Value);
        await ApiClient.ExpectErrorAsync(await laptop.GetAsync($"/v2/customers/{id}"), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Storefronts_and_customers_cannot_set_the_external_ref_or_store_only_fields()
    {
        var designer = App.Services.GetRequiredService<FieldDesigner>();
        var flow = await designer.EnsureFlowAsync(As.Admin, Flow.Customers, true);
        await designer.CreateFieldAsync(As.Admin, flow.Id, new FieldInput { Name = "Credit limit", Slug = "credit_limit", Type = FieldType.Integer });
        await designer.CreateFieldAsync(As.Admin, flow.Id, new FieldInput { Name = "Nickname", Slug = "nickname", Type = FieldType.String, CustomerEditable = true });
        var (customer, id, _) = await CustomerAsync();
        var storefront = await ApiClient.ImplicitAsync(App);
        var server = await ApiClient.ClientCredentialsAsync(App);

        var credit = await ApiClient.ExpectErrorAsync(await customer.PutAsync($"/v2/customers/{id}", new { type = "customer", credit_limit = 100000 }), HttpStatusCode.UnprocessableEntity);
        var reference = await ApiClient.ExpectErrorAsync(await customer.PutAsync($"/v2/customers/{id}", new { type = "customer", external_ref = "vip" }), HttpStatusCode.UnprocessableEntity);
        var register = await ApiClient.ExpectErrorAsync(await storefront.PostAsync("/v2/customers",
            new { type = "customer", name = "X", email = UniqueEmail(), external_ref = "crm-1" }), HttpStatusCode.UnprocessableEntity);
        var nickname = await ApiClient.ExpectAsync(await customer.PutAsync($"/v2/customers/{id}", new { type = "customer", nickname = "Ada" }), HttpStatusCode.OK);
        var byServer = await ApiClient.ExpectAsync(await server.PutAsync($"/v2/customers/{id}", new { type = "customer", credit_limit = 500, external_ref = "crm-9" }), HttpStatusCode.OK);

        Assert.Equal("data.credit_limit", credit["source"]!.GetValue<string>());
        Assert.Equal("data.external_ref", reference["source"]!.GetValue<string>());
        Assert.Equal("data.external_ref", register["source"]!.GetValue<string>());
        Assert.Equal("Ada", nickname["data"]!["nickname"]!.GetValue<string>());
        Assert.Equal((500, "crm-9"), (byServer["data"]!["credit_limit"]!.GetValue<int>(), byServer["data"]!["external_ref"]!.GetValue<string>()));
    }
}
