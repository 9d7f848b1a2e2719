´
±
misim.trace"0.1.0*
quickstart2scenarios/quickstart.yaml:cfd79a601d1acc5d@*J
rate1/sJ
servers16PX€€ô Úš	`€àº„¿h€€Éá—ùr
imdsendpointr
aad.defaultaadtenant"tenant subscription"subscriptionresource group"rg"¿ØNHE5‘]ÄÏİåÓĞi )&”0ÊÄêN“