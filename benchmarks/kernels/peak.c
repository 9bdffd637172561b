#include <immintrin.h>
#include <stdio.h>
#include <time.h>
int main(){ __m256 a[12]; for(int i=0;i<12;i++) a[i]=_mm256_set1_ps(i*0.001f);
 __m256 b=_mm256_set1_ps(0.9999f), c=_mm256_set1_ps(0.00001f);
 struct timespec t0,t1; clock_gettime(CLOCK_MONOTONIC,&t0); long n=200000000;
 for(long i=0;i<n;i++){ for(int j=0;j<12;j++) a[j]=_mm256_fmadd_ps(a[j],b,c); __asm__ volatile("" : "+x"(a[0]),"+x"(a[1]),"+x"(a[2]),"+x"(a[3]),"+x"(a[4]),"+x"(a[5]),"+x"(a[6]),"+x"(a[7]),"+x"(a[8]),"+x"(a[9]),"+x"(a[10]),"+x"(a[11]));}
 clock_gettime(CLOCK_MONOTONIC,&t1); double s=(t1.tv_sec-t0.tv_sec)+1e-9*(t1.tv_nsec-t0.tv_nsec);
 float r=0; for(int i=0;i<12;i++) r+=a[i][0]; printf("peak %.1f GFLOP/s (%f)\n", n*12.0*16/s*1e-9, r);}
