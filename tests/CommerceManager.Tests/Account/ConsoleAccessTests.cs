using System.Net;
using System.Text.RegularExpressions;
using CommerceManager.Security;
using CommerceManager.Tests.Infrastructure;

namespace CommerceManager.Tests.Account;

public sealed class ConsoleAccessTests(AppFactory app) : IClassFixture<AppFactory>
{
    [Theory]
    [InlineData("/customers")]
    [InlineData("/customers/new")]
    [InlineData("/customers/0196c2f1-0000-7000-8000-000000000001")]
    [InlineData("/settings/staff")]
    [InlineData("/")]
    public async Task Anonymous_requests_to_console_pages_redirect_to_sign_in(string path)
    {
        var response = await app.CreateBrowserlessClient().GetAsync(path);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("http://localhost/Account/Login?ReturnUrl=", response.Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_bootstrap_admin_signs_in_and_sees_the_customers_page()
    {
        var client = await app.SignedInClientAsync(AppFactory.AdminEmail, AppFactory.AdminPassword);

        var page = await client.GetAsync("/customers");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("<title>Customers · Commerce Manager</title>", await page.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/settings/staff")).StatusCode);
    }

    [Fact]
    public async Task A_wrong_password_is_refused_with_a_message_and_no_session()
    {
        var client = app.CreateBrowserlessClient();

        var response = await AppFactory.PostLoginAsync(client, AppFactory.AdminEmail, "not the password");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("The email or password is not right.", await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/customers")).StatusCode);
    }

    [Fact]
    public async Task Five_failed_sign_ins_lock_the_account_even_for_the_right_password()
    {
        await app.CreateAsync("locked.rep@test.example", Roles.Representative, "the right password 1");
        var client = app.CreateBrowserlessClient();
        for (var i = 0; i < 5; i++)
        {
            await AppFactory.PostLoginAsync(client, "locked.rep@test.example", "wrong password " + i);
        }

        var response = await AppFactory.PostLoginAsync(client, "locked.rep@test.example", "the right password 1");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.EndsWith("/Account/Lockout", response.Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Viewers_read_customers_but_cannot_open_the_create_form_or_settings()
    {
        await app.CreateAsync("viewer@test.example", Roles.Viewer);
        var client = await app.SignedInClientAsync("viewer@test.example", "staff test password 1");

        var list = await client.GetAsync("/customers");
        var create = await client.GetAsync("/customers/new");
        var staff = await client.GetAsync("/settings/staff");

        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, create.StatusCode);
        Assert.StartsWith("http://localhost/Account/AccessDenied", create.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.StartsWith("http://localhost/Account/AccessDenied", staff.Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Representatives_create_customers_but_cannot_open_settings()
    {
        await app.CreateAsync("rep@test.example", Roles.Representative);
        var client = await app.SignedInClientAsync("rep@test.example", "staff test password 1");

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/customers/new")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/settings/staff")).StatusCode);
    }

    [Fact]
    public async Task Signing_out_ends_the_session()
    {
        var client = await app.SignedInClientAsync(AppFactory.AdminEmail, AppFactory.AdminPassword);
        var page = await client.GetStringAsync("/customers");
        var token = Regex.Match(page, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;

        var response = await client.PostAsync("/Account/Logout", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/customers")).StatusCode);
    }
}
