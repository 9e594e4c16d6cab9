using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CommerceManager.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class LoginProxyClientKey : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ClientKey",
                table: "OidcLoginRequests",
                type: "TEXT",
                maxLength: 16,
                nullable: false,
                defaultValue: "");

            migrationBuilder.CreateIndex(
                name: "IX_OidcLoginRequests_ClientKey",
                table: "OidcLoginRequests",
                column: "ClientKey");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_OidcLoginRequests_ClientKey",
                table: "OidcLoginRequests");

            migrationBuilder.DropColumn(
                name: "ClientKey",
                table: "OidcLoginRequests");
        }
    }
}
