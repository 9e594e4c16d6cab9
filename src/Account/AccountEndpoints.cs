using CommerceManager.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace CommerceManager.Account;

public static class AccountEndpoints
{
    public static IEndpointConventionBuilder MapAccountEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var account = endpoints.MapGroup("/Account");
        // A POST with an antiforgery token, so another site cannot sign staff out with a link.
        account.MapPost("/Logout", async Task<IResult> (HttpContext context, [FromServices] SignInManager<StaffUser> signInManager,
            [FromServices] Microsoft.AspNetCore.Antiforgery.IAntiforgery antiforgery) =>
        {
            // The endpoint binds no form, so nothing else checks the token: ask for it here.
            if (!await antiforgery.IsRequestValidAsync(context))
            {
                return TypedResults.BadRequest("Sign out from the console's Sign out button.");
            }
            await signInManager.SignOutAsync();
            return TypedResults.LocalRedirect("~/Account/Login");
        }).DisableAntiforgery();
        return account;
    }
}
