"use client";
// The user table and the new-user form; every change goes through the users router and is audited there. A role
// change says it was saved; disabling asks first, and is not offered on the admin's own row (the server refuses it).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { ROLE_LABELS, ROLES, type Role } from "@/server/auth/access";
import { ConfirmButton } from "@/app/_components/confirm-button";
import { ErrorMessage } from "@/app/_components/error-message";
import { useTRPC } from "@/app/_trpc/client";

export function UsersAdmin({ selfId }: { selfId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const users = useQuery(trpc.users.list.queryOptions());
  const refresh = { onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.users.list.queryKey() }) };
  const create = useMutation(trpc.users.create.mutationOptions(refresh));
  const changeRole = useMutation(trpc.users.changeRole.mutationOptions(refresh));
  const setDisabled = useMutation(trpc.users.setDisabled.mutationOptions(refresh));
  const [created, setCreated] = useState<string | null>(null);
  const [savedRole, setSavedRole] = useState<{ userId: string; role: Role } | null>(null);

  function onRoleChange(userId: string, role: Role) {
    setSavedRole(null);
    changeRole.mutate({ userId, role }, { onSuccess: (user) => setSavedRole({ userId: user.id, role: user.role }) });
  }

  function onCreate(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const password = String(form.get("password") ?? "");
    create.mutate(
      {
        email: String(form.get("email") ?? ""),
        name: String(form.get("name") ?? ""),
        role: String(form.get("role")) as Role,
        password: password === "" ? undefined : password,
      },
      {
        onSuccess: (user) => {
          setCreated(user.email);
          formElement.reset();
        },
      },
    );
  }

  return (
    <>
      <section className="card">
        <h2>New user</h2>
        <form className="inline" onSubmit={onCreate} aria-label="New user">
          <label>
            Email
            <input name="email" type="email" required />
          </label>
          <label>
            Name
            <input name="name" required />
          </label>
          <label>
            Role
            <select name="role" defaultValue="engineer">
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {ROLE_LABELS[r]}
                </option>
              ))}
            </select>
          </label>
          <label>
            Password (12+ characters; empty for single sign-on only)
            <input name="password" type="password" autoComplete="new-password" />
          </label>
          <button type="submit" disabled={create.isPending}>
            Create user
          </button>
        </form>
        <ErrorMessage error={create.error} />
        {created && !create.error && <p className="ok">Created {created}.</p>}
      </section>

      <section className="card">
        <h2>Users</h2>
        <ErrorMessage error={users.error ?? changeRole.error ?? setDisabled.error} />
        <table>
          <thead>
            <tr>
              <th>Email</th>
              <th>Name</th>
              <th>Role</th>
              <th>Status</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {users.data?.map((u) => (
              <tr key={u.id} data-testid={`user-row-${u.email}`}>
                <td>{u.email}</td>
                <td>{u.name}</td>
                <td>
                  <select
                    aria-label={`Role of ${u.email}`}
                    value={u.role}
                    disabled={changeRole.isPending}
                    onChange={(e) => onRoleChange(u.id, e.target.value as Role)}
                  >
                    {ROLES.map((r) => (
                      <option key={r} value={r}>
                        {ROLE_LABELS[r]}
                      </option>
                    ))}
                  </select>{" "}
                  <span role="status">
                    {savedRole?.userId === u.id && savedRole.role === u.role && <span className="ok">Saved: now {ROLE_LABELS[u.role]}</span>}
                  </span>
                </td>
                <td>{u.disabled ? <span className="badge">disabled</span> : "active"}</td>
                <td>
                  {u.id === selfId ? (
                    <span className="muted">you</span>
                  ) : u.disabled ? (
                    <button type="button" className="secondary" disabled={setDisabled.isPending} onClick={() => setDisabled.mutate({ userId: u.id, disabled: false })}>
                      Enable
                    </button>
                  ) : (
                    <ConfirmButton
                      className="secondary"
                      disabled={setDisabled.isPending}
                      question={`Disable ${u.email}? Their sessions end at once.`}
                      confirmLabel="Yes, disable"
                      onConfirm={() => setDisabled.mutate({ userId: u.id, disabled: true })}
                    >
                      Disable
                    </ConfirmButton>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </>
  );
}
