Æ
Ã
misim.trace"0.1.0*delete-vm-system-assigned21scenarios/deletion/delete-vm-system-assigned.yaml:4419ff8ae74cdcd6@PX€€Š—Œ£h€Ğ‘†r
imdsendpointr
aad.defaultaad@zdelete 'web-0'tenant"tenant subscription"subscriptionresource group"rgvm"web-0	key_vault"vault%#system-assigned identity"web-0Key Vault Secrets User€€Å‹ÆÑ€€Å‹ÆÑ8x"´	ãVü›€€Š—Œ£) †)¥%‘]