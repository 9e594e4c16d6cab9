using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CommerceManager.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class AccountMoves : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "AccountMoveJobs",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    PasswordProfileId = table.Column<Guid>(type: "uuid", nullable: false),
                    Selected = table.Column<int>(type: "integer", nullable: false),
                    Done = table.Column<int>(type: "integer", nullable: false),
                    Skipped = table.Column<int>(type: "integer", nullable: false),
                    SkippedWhy = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true, collation: "C"),
                    StartedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    FinishedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    By = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false, collation: "C"),
                    UndoUntil = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    UndoneAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    UndoneBy = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AccountMoveJobs", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "AccountMoveItems",
                columns: table => new
                {
                    JobId = table.Column<Guid>(type: "uuid", nullable: false),
                    CustomerId = table.Column<Guid>(type: "uuid", nullable: false),
                    AccountId = table.Column<Guid>(type: "uuid", nullable: false),
                    MemberId = table.Column<Guid>(type: "uuid", nullable: false),
                    MemberCreated = table.Column<bool>(type: "boolean", nullable: false),
                    PasswordId = table.Column<Guid>(type: "uuid", nullable: true),
                    Moved = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    Undone = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AccountMoveItems", x => new { x.JobId, x.CustomerId });
                    table.ForeignKey(
                        name: "FK_AccountMoveItems_AccountMoveJobs_JobId",
                        column: x => x.JobId,
                        principalTable: "AccountMoveJobs",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_AccountMoveItems_CustomerId_Moved",
                table: "AccountMoveItems",
                column: "CustomerId",
                unique: true,
                filter: "NOT \"Undone\"");

            migrationBuilder.CreateIndex(
                name: "IX_AccountMoveJobs_StartedAt",
                table: "AccountMoveJobs",
                column: "StartedAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AccountMoveItems");

            migrationBuilder.DropTable(
                name: "AccountMoveJobs");
        }
    }
}
