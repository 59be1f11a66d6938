# Draws favicon.ico (32x32 PNG in an ICO container) like favicon.svg: run from the repository root.
import struct, zlib, math
N=32
def dist_seg(px,py,ax,ay,bx,by):
    dx,dy=bx-ax,by-ay; t=max(0,min(1,((px-ax)*dx+(py-ay)*dy)/(dx*dx+dy*dy)))
    return math.hypot(px-(ax+t*dx),py-(ay+t*dy))
def inside_rr(x,y,r=6):
    cx=min(max(x,r),N-r); cy=min(max(y,r),N-r)
    return math.hypot(x-cx,y-cy)<=r
rows=[]
S=4
for y in range(N):
    row=b'\x00'
    for x in range(N):
        a=0; w=0
        for sy in range(S):
            for sx in range(S):
                px=x+(sx+.5)/S; py=y+(sy+.5)/S
                if inside_rr(px,py):
                    a+=1
                    d=min(dist_seg(px,py,8,16.5,13.5,22),dist_seg(px,py,13.5,22,24.5,10))
                    if d<=2: w+=1
        a/=S*S; w/=S*S
        # colour: mix red and white by w (relative to covered)
        f = w/a if a else 0
        r=int(0xb7*(1-f)+255*f); g=int(0x1c*(1-f)+255*f); b=int(0x1c*(1-f)+255*f)
        row+=bytes([r,g,b,int(255*a)])
    rows.append(row)
raw=b''.join(rows)
def chunk(t,d): return struct.pack('>I',len(d))+t+d+struct.pack('>I',zlib.crc32(t+d)&0xffffffff)
png=b'\x89PNG\r\n\x1a\n'+chunk(b'IHDR',struct.pack('>IIBBBBB',N,N,8,6,0,0,0))+chunk(b'IDAT',zlib.compress(raw,9))+chunk(b'IEND',b'')
ico=struct.pack('<HHH',0,1,1)+struct.pack('<BBBBHHII',N,N,0,0,1,32,len(png),6+16)+png
open('crates/web/assets/favicon.ico','wb').write(ico)
print(len(ico))
